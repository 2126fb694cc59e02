"""The process's change feed: one dedicated connection LISTENs for change notices and
routes each to the local subscribers of its organization.

The connection is not the pool's (a pooled connection would lose its LISTEN when given
back, and behind PgBouncer in transaction mode LISTEN does not work at all): it comes from
an engine of its own without a pool, opened when the first subscription starts. When it is
lost (a database restart, `pg_terminate_backend`) the feed reconnects with backoff and, once
listening again, hands every subscriber a `MISSED` marker: notices sent meanwhile are gone,
so a client should refetch what it shows. Subscriptions survive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from graph.core.errors import ServiceUnavailable
from persistence.changes import CHANNEL, Change
from persistence.database import async_url

log = logging.getLogger("khub.subscriptions")

MISSED = "MISSED"
"""Put in every queue after the listener reconnected: notices may have been lost."""
OVERFLOWED = "OVERFLOWED"
"""Put in a queue its consumer let fill up: the subscription ends (a slow consumer)."""
READY_TIMEOUT_SECONDS = 10.0
KEEPALIVE_SECONDS = 15.0
MAX_BACKOFF_SECONDS = 5.0


class TooManySubscriptions(Exception):
    """The principal already runs the most subscriptions allowed on this instance."""


class Subscriber:
    """One subscription's bounded queue of changes (and markers) of one organization."""

    def __init__(self, organization_id: uuid.UUID, principal: Hashable, size: int) -> None:
        self.organization_id = organization_id
        self.principal = principal
        self.queue: asyncio.Queue[Change | str] = asyncio.Queue(maxsize=size)
        self.overflowed = False

    def offer(self, item: Change | str) -> None:
        """Queue without waiting; a full queue ends the subscription rather than grow."""
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(OVERFLOWED)


class ChangeFeed:
    """LISTENs on one connection of its own and fans notices out to local subscribers."""

    def __init__(self, url: Callable[[], str], *, queue_size: int = 256) -> None:
        self.url = url  # where to LISTEN, known once the app's lifespan opened its database
        self.queue_size = queue_size
        self.reconnects = 0
        self._subscribers: dict[uuid.UUID, set[Subscriber]] = {}
        self._per_principal: Counter[Hashable] = Counter()
        self._engine: AsyncEngine | None = None
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._closed = False
        self.backend_pid: int | None = None

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def admit(self, principal: Hashable, limit: int) -> None:
        """Refuse a principal (a user, an API key) already running `limit` subscriptions
        here; `subscribe` right after (no await between) counts the new one."""
        if self._per_principal[principal] >= limit:
            raise TooManySubscriptions(f"at most {limit} subscriptions at once per principal")

    @contextlib.asynccontextmanager
    async def subscribe(
        self, organization_id: uuid.UUID, principal: Hashable
    ) -> AsyncIterator[Subscriber]:
        """A subscriber registered while the feed listens (started on first use)."""
        subscriber = Subscriber(organization_id, principal, self.queue_size)
        self._subscribers.setdefault(organization_id, set()).add(subscriber)
        self._per_principal[principal] += 1
        try:
            await self._start()
            yield subscriber
        finally:
            self._per_principal[principal] -= 1
            if not self._per_principal[principal]:
                del self._per_principal[principal]
            local = self._subscribers.get(organization_id)
            if local is not None:
                local.discard(subscriber)
                if not local:
                    del self._subscribers[organization_id]

    async def _start(self) -> None:
        if self._task is None:
            self._engine = create_async_engine(async_url(self.url()), poolclass=NullPool)
            self._task = asyncio.create_task(self._run(), name="khub-change-feed")
        try:
            await asyncio.wait_for(self._listening.wait(), READY_TIMEOUT_SECONDS)
        except TimeoutError:
            raise ServiceUnavailable() from None  # the database: down or restarting

    async def close(self) -> None:
        """Stop listening (the app's shutdown)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def _run(self) -> None:
        backoff = 0.1
        first = True
        while not self._closed:
            lost = asyncio.Event()
            connection: AsyncConnection | None = None
            try:
                assert self._engine is not None
                connection = await self._engine.connect()
                raw = (await connection.get_raw_connection()).driver_connection
                raw.add_termination_listener(_setter(lost))
                await raw.add_listener(CHANNEL, self._on_notice)
                self.backend_pid = raw.get_server_pid()
                self._listening.set()
                if not first:
                    self.reconnects += 1
                    self._broadcast(MISSED)
                first = False
                backoff = 0.1
                await _until_lost(raw, lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("change feed: the listening connection failed: %s", exc)
            finally:
                self._listening.clear()
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.invalidate()  # never back to a pool: it LISTENed
                    with contextlib.suppress(Exception):
                        await connection.close()
            if self._closed:
                return
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def _on_notice(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            change = Change.parse(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("change feed: ignored a malformed notice")
            return
        for subscriber in tuple(self._subscribers.get(change.organization_id, ())):
            subscriber.offer(change)

    def _broadcast(self, marker: str) -> None:
        for local in self._subscribers.values():
            for subscriber in tuple(local):
                subscriber.offer(marker)


def _setter(event: asyncio.Event) -> Callable[[Any], None]:
    return lambda _connection: event.set()


async def _until_lost(raw: Any, lost: asyncio.Event) -> None:
    """Return when the connection is gone: closed by the server (the termination listener),
    or silently dead (a ping that fails or hangs)."""
    while True:
        try:
            await asyncio.wait_for(lost.wait(), KEEPALIVE_SECONDS)
            return
        except TimeoutError:
            pass
        try:
            await asyncio.wait_for(raw.execute("SELECT 1"), KEEPALIVE_SECONDS)
        except Exception:
            return
