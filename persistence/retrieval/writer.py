"""Writing the retrieval history in batches, with its rollups; and expiring it.

A batch is written per organization (row-level security confines a transaction to one):
ONE multi-row INSERT of the history rows, then one upsert per rollup table with the batch's
counts added up first (an upsert may touch a row once per statement). Each call counts in
the per-day totals and in one block of every span of the other rollups.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.conversation.models import Conversation
from persistence.database import scope_transaction
from persistence.ids import new_id
from persistence.retrieval.models import (
    ROLLUP_SPANS,
    SEARCH,
    RetrievalDailyCalls,
    RetrievalDailyDocument,
    RetrievalDailyDuration,
    RetrievalDailyText,
    RetrievalQuery,
    block_start,
    duration_bucket,
    rollup_text,
)

ROLLUPS = (RetrievalDailyCalls, RetrievalDailyDuration, RetrievalDailyText, RetrievalDailyDocument)


@dataclass(frozen=True)
class RetrievalEntry:
    """One retrieval call as recorded: the same whichever execution path answered it."""

    organization_id: uuid.UUID
    kind: str
    query_text: str | None
    source_node_id: uuid.UUID | None
    filters: dict[str, Any]
    hit_ids: list[uuid.UUID]
    hit_scores: list[float]
    duration_ms: float
    user_id: uuid.UUID | None
    api_key_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    id: uuid.UUID = field(default_factory=new_id)

    def row(self) -> dict[str, Any]:
        return {**asdict(self), "hit_count": len(self.hit_ids)}


async def write(
    connection: AsyncConnection, entries: Sequence[RetrievalEntry], *, statement_timeout_ms: int
) -> None:
    """Write `entries` and their rollups: one transaction per organization among them."""
    by_organization: dict[uuid.UUID, list[RetrievalEntry]] = {}
    for entry in entries:
        by_organization.setdefault(entry.organization_id, []).append(entry)
    for organization_id, rows in by_organization.items():
        async with connection.begin():
            await scope_transaction(
                connection,
                organization_id=organization_id,
                statement_timeout_ms=statement_timeout_ms,
            )
            await connection.execute(_INSERT_CALLS, [_claimed(e) for e in rows])
            await _roll_up(connection, organization_id, rows)


_INSERT_CALLS = insert(RetrievalQuery).values(
    conversation_id=select(Conversation.id)
    .where(
        Conversation.organization_id == bindparam("claimed_organization_id"),
        Conversation.id == bindparam("claimed_conversation_id"),
    )
    .scalar_subquery()
)
"""The calls, each keeping its conversation only if the organization has it: a client may
name any id, and a batch must not fail on one."""


def _claimed(entry: RetrievalEntry) -> dict[str, Any]:
    row = entry.row()
    row["claimed_conversation_id"] = row.pop("conversation_id")
    row["claimed_organization_id"] = entry.organization_id
    return row


async def _roll_up(
    connection: AsyncConnection, organization_id: uuid.UUID, entries: list[RetrievalEntry]
) -> None:
    calls: Counter[date] = Counter()
    zero_calls: Counter[date] = Counter()
    durations: Counter[tuple[int, date, int]] = Counter()
    texts: Counter[tuple[int, date, str]] = Counter()
    zero_texts: Counter[tuple[int, date, str]] = Counter()
    documents: Counter[tuple[int, date, uuid.UUID]] = Counter()
    for entry in entries:
        day = entry.created_at.astimezone(UTC).date()
        calls[day] += 1
        zero_calls[day] += not entry.hit_ids
        for span in ROLLUP_SPANS:
            block = (span, block_start(day, span))
            durations[(*block, duration_bucket(entry.duration_ms))] += 1
            if entry.kind == SEARCH and entry.query_text is not None:
                key = (*block, rollup_text(entry.query_text))
                texts[key] += 1
                zero_texts[key] += not entry.hit_ids
                for document_id in entry.hit_ids:
                    documents[(*block, document_id)] += 1
    await _add(
        connection,
        RetrievalDailyCalls,
        ("day",),
        [{"day": d, "queries": n, "zero_hit_queries": zero_calls[d]} for d, n in calls.items()],
        organization_id,
    )
    await _add(
        connection,
        RetrievalDailyDuration,
        ("days", "day", "duration_bucket"),
        [
            {"days": s, "day": d, "duration_bucket": b, "queries": n}
            for (s, d, b), n in durations.items()
        ],
        organization_id,
    )
    await _add(
        connection,
        RetrievalDailyText,
        ("days", "day", "text"),
        [
            {"days": s, "day": d, "text": t, "queries": n, "zero_hit_queries": zero_texts[s, d, t]}
            for (s, d, t), n in texts.items()
        ],
        organization_id,
    )
    await _add(
        connection,
        RetrievalDailyDocument,
        ("days", "day", "document_id"),
        [
            {"days": s, "day": d, "document_id": i, "returned": n}
            for (s, d, i), n in documents.items()
        ],
        organization_id,
    )


async def _add(
    connection: AsyncConnection,
    model: Any,
    key: tuple[str, ...],
    rows: list[dict[str, Any]],
    organization_id: uuid.UUID,
) -> None:
    """Add the counts of `rows` to the rollup's rows with the same key (made if absent).

    One statement whose text depends only on the rollup, its columns passed as arrays and
    unnested: a multi-row VALUES of each batch's size was compiled by SQLAlchemy afresh for
    every batch (thousands of rows: the writer cost more Python than the searches it
    records) and prepared anew by PostgreSQL."""
    if not rows:
        return
    columns = ("organization_id", "id", *rows[0])
    values: dict[str, list[Any]] = {c: [row[c] for row in rows] for c in rows[0]}
    values["organization_id"] = [organization_id] * len(rows)
    values["id"] = [new_id() for _ in rows]
    await connection.execute(_upsert(model, key, columns), values)


_UPSERTS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Any] = {}


def _upsert(model: Any, key: tuple[str, ...], columns: tuple[str, ...]) -> Any:
    """`INSERT … SELECT FROM unnest(arrays) ON CONFLICT (key) DO UPDATE` adding the counts,
    made once per rollup and columns."""
    table = model.__table__
    cache_key = (table.name, key, columns)
    if cache_key not in _UPSERTS:
        dialect = postgresql.dialect()
        arrays = ", ".join(
            f"CAST(:{c} AS {table.c[c].type.compile(dialect=dialect)}[])" for c in columns
        )
        counts = [c for c in columns if c not in ("organization_id", "id", *key)]
        added = ", ".join(f"{c} = {table.name}.{c} + EXCLUDED.{c}" for c in counts)
        _UPSERTS[cache_key] = text(
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT (organization_id, {', '.join(key)}) "
            f"DO UPDATE SET {added}, updated_at = now()"
        )
    return _UPSERTS[cache_key]


async def organizations_with_history(connection: AsyncConnection) -> list[uuid.UUID]:
    """Every organization with rolled-up history (through a SECURITY DEFINER function)."""
    async with connection.begin():
        rows = await connection.execute(text("SELECT * FROM khub_retrieval_organizations()"))
        return [row[0] for row in rows]


async def expire(
    connection: AsyncConnection,
    organization_id: uuid.UUID,
    *,
    days: int,
    limit: int,
    statement_timeout_ms: int,
    now: datetime | None = None,
) -> int:
    """Delete up to `limit` history rows older than `days` (and the rollups of blocks that
    start before the cutoff's day: the insights start a range at its first day with calls,
    so they never read a block cut short) in one short transaction; how many history rows
    went."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    async with connection.begin():
        await scope_transaction(
            connection, organization_id=organization_id, statement_timeout_ms=statement_timeout_ms
        )
        oldest = (
            select(RetrievalQuery.id)
            .where(
                RetrievalQuery.organization_id == organization_id,
                RetrievalQuery.created_at < cutoff,
            )
            .order_by(RetrievalQuery.created_at)
            .limit(limit)
        )
        result = await connection.execute(
            delete(RetrievalQuery).where(
                RetrievalQuery.organization_id == organization_id,
                RetrievalQuery.id.in_(oldest.scalar_subquery()),
            )
        )
        for model in ROLLUPS:
            await connection.execute(
                delete(model).where(
                    model.organization_id == organization_id, model.day < cutoff.date()
                )
            )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]
