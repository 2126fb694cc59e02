"""The retrieval history's writer: off the request's critical path.

A request only appends its entry to a bounded in-process queue (no I/O, no await). A
background task drains the queue in batches on a connection of its own
(`persistence/retrieval/writer.py`), and now and then deletes expired history. When the
queue is full — the database is slow or down, or calls outrun the writer — entries are
dropped and counted (`khub_retrieval_history_dropped_total`), with one warning per episode,
rather than slowing queries or growing memory. The app's lifespan flushes what is left on
shutdown.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import uuid
from collections import deque
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from graph.retrieval.settings import RetrievalSettings
from persistence.database import scope_transaction
from persistence.organization_settings import settings_for
from persistence.retrieval import writer
from persistence.retrieval.writer import RetrievalEntry

log = logging.getLogger("khub.retrieval")

WRITER: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "khub_retrieval_writer", default=False
)
"""True in the background writer's task: its statements belong to no request (and the test
suite's statement counters leave them out)."""


async def retention_days(
    connection: Any, organization_id: uuid.UUID, settings: RetrievalSettings, timeout_ms: int
) -> int:
    """How long `organization_id` keeps its history: the shorter of the server's
    `KHUB_RETRIEVAL_RETENTION_DAYS` (the operator's cap) and the organization's own setting."""
    async with connection.begin():
        await scope_transaction(
            connection, organization_id=organization_id, statement_timeout_ms=timeout_ms
        )
        async with AsyncSession(bind=connection) as session:  # joins the transaction
            governing = await settings_for(session, organization_id)
    return min(settings.retention_days, governing.retrieval_retention_days)


class RetrievalRecorder:
    """The queue and its writer task, one per app."""

    def __init__(self, database: Any, settings: RetrievalSettings, dropped: Any) -> None:
        self._database = database  # a callable: the app's Database exists once it has started
        self.settings = settings
        self._dropped = dropped
        self._pending: deque[RetrievalEntry] = deque()
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._overloaded = False
        self._next_expiry = 0.0

    def record(self, entry: RetrievalEntry) -> None:
        """Queue one entry; never waits. Dropped (and counted) when the queue is full."""
        if self.settings.queue_size == 0:
            return
        if len(self._pending) >= self.settings.queue_size:
            self._dropped.labels("overload").inc()
            if not self._overloaded:
                self._overloaded = True
                log.warning(
                    "retrieval history queue full (%d entries): dropping entries until the "
                    "writer catches up",
                    self.settings.queue_size,
                )
            return
        self._pending.append(entry)
        self._start()
        if len(self._pending) >= self.settings.batch_size and self._wake is not None:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def flush(self) -> None:
        """Write everything queued now (the writer's own batches, one after another)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            while self._pending:
                await self._write_batch()

    async def expire(self) -> int:
        """Delete expired history of every organization, in bounded batches; how many rows."""
        database = self._database()
        timeout = database.settings.statement_timeout_ms
        deleted = 0
        async with database.engine.connect() as connection:
            for organization_id in await writer.organizations_with_history(connection):
                days = await retention_days(connection, organization_id, self.settings, timeout)
                while True:
                    count = await writer.expire(
                        connection,
                        organization_id,
                        days=days,
                        limit=self.settings.expire_batch,
                        statement_timeout_ms=timeout,
                    )
                    deleted += count
                    if count < self.settings.expire_batch:
                        break
        return deleted

    async def close(self) -> None:
        """Stop the writer and write what is left (the app's shutdown)."""
        if self._task is not None:
            assert self._lock is not None
            async with self._lock:  # never in the middle of a batch
                self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        await self.flush()

    def _start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._next_expiry = time.monotonic() + self.settings.flush_seconds
        # A context of its own: the writer's statements are not the request's that woke it.
        context = contextvars.Context()
        context.run(WRITER.set, True)
        self._task = asyncio.get_running_loop().create_task(
            self._drain(), name="khub-retrieval-writer", context=context
        )

    async def _drain(self) -> None:
        assert self._wake is not None and self._lock is not None
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.flush_seconds)
                woken = True  # by a whole batch waiting
            except TimeoutError:
                woken = False
            self._wake.clear()
            try:
                async with self._lock:
                    await self._write_due(whole_batches_only=woken)
                if time.monotonic() >= self._next_expiry:
                    self._next_expiry = time.monotonic() + self.settings.expire_seconds
                    await self.expire()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the retrieval history writer failed; it carries on")

    async def _write_due(self, *, whole_batches_only: bool) -> None:
        """Whole batches while they wait, and at the end of an interval also what was queued
        then: calls arriving during a write wait for the next batch or interval, so that one
        write's rollups count many calls. (Draining whatever arrived while it wrote made the
        writer write back to back under load, each small batch upserting its ~1,000 rollup
        rows anew.)"""
        due = 0 if whole_batches_only else len(self._pending)
        while due > 0 or len(self._pending) >= self.settings.batch_size:
            due -= min(self.settings.batch_size, len(self._pending))
            await self._write_batch()

    async def _write_batch(self) -> None:
        size = min(self.settings.batch_size, len(self._pending))
        batch = [self._pending.popleft() for _ in range(size)]
        self._overloaded = False
        database = self._database()
        try:
            async with database.engine.connect() as connection:
                await writer.write(
                    connection, batch, statement_timeout_ms=database.settings.statement_timeout_ms
                )
        except Exception:
            self._dropped.labels("failed").inc(len(batch))
            log.exception("could not write %d retrieval history entries", len(batch))
