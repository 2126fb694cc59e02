"""Writing the retrieval history in batches, with its rollups; and expiring it.

A batch is written per organization (row-level security confines a transaction to one):
ONE multi-row INSERT of the history rows, then one upsert per rollup table with the batch's
counts added up first (`rollups.py`: an upsert may touch a row once per statement). Each
call counts in the per-day totals and in one block of every span of the other rollups.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence.conversation.models import Conversation
from persistence.database import scope_transaction
from persistence.ids import new_ids
from persistence.retrieval import rollups
from persistence.retrieval.models import (
    RetrievalDailyCalls,
    RetrievalDailyDocument,
    RetrievalDailyDuration,
    RetrievalDailyText,
    RetrievalQuery,
)

ROLLUPS = (RetrievalDailyCalls, RetrievalDailyDuration, RetrievalDailyText, RetrievalDailyDocument)


@dataclass(frozen=True)
class RetrievalEntry:
    """One retrieval call as recorded: the same whichever execution path answered it.

    Frozen, and its lists and `filters` are never mutated once it is made (the compiled path
    even shares one `filters` dict between the calls of a cached plan): the writer binds them
    as they are, without copying."""

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
    id: uuid.UUID | None = None
    """None until written: the writer makes a batch's ids at once (`new_ids`), off the
    request's path."""

    def row(self) -> dict[str, Any]:
        """The history row's values: a shallow copy of the fields (`dataclasses.asdict` copied
        every hit id and filter deeply: most of the writer's time)."""
        row = dict(self.__dict__)
        row["hit_count"] = len(self.hit_ids)
        return row


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
            ids = new_ids(len(rows))
            claimed = [_claimed(e, i) for e, i in zip(rows, ids, strict=True)]
            await connection.execute(_INSERT_CALLS, claimed)
            for model, key, columns in rollups.columns(rows):
                await _add(connection, model, key, columns, organization_id)


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


def _claimed(entry: RetrievalEntry, made: uuid.UUID) -> dict[str, Any]:
    """The entry's row for `_INSERT_CALLS`, with its own id or the one `made` for it."""
    row = entry.row()
    if row["id"] is None:
        row["id"] = made
    row["claimed_conversation_id"] = row.pop("conversation_id")
    row["claimed_organization_id"] = entry.organization_id
    return row


async def _add(
    connection: AsyncConnection,
    model: Any,
    key: tuple[str, ...],
    columns: rollups.Columns,
    organization_id: uuid.UUID,
) -> None:
    """Add the counts in `columns` to the rollup's rows with the same `key` (made if absent).

    One statement whose text depends only on the rollup, its columns passed as arrays and
    unnested: a multi-row VALUES of each batch's size was compiled by SQLAlchemy afresh for
    every batch (thousands of rows: the writer cost more Python than the searches it
    records) and prepared anew by PostgreSQL."""
    size = len(next(iter(columns.values())))
    if not size:
        return
    values = {
        "organization_id": [organization_id] * size,
        "id": new_ids(size),
        **columns,
    }
    await connection.execute(_upsert(model, key, tuple(values)), values)


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
