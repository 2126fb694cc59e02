"""Writing the retrieval history in batches, with its rollups; and expiring it.

A batch is written per organization (row-level security confines a transaction to one):
ONE insert of the history rows (its columns as arrays, unnested), then one upsert per rollup
table with the batch's counts added up first (`rollups.py`: an upsert may touch a row once
per statement). Each call counts in the per-day totals and in one block of every span of the
other rollups.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

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
    even shares one `filters` dict between the calls of a cached plan): the writer reads them
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
            await connection.execute(_INSERT_CALLS, _calls(rows, organization_id))
            for model, key, columns in rollups.columns(rows):
                await _add(connection, model, key, columns, organization_id)


_INSERT_CALLS = text(
    """
    INSERT INTO retrieval_queries (
        organization_id, id, created_at, kind, query_text, source_node_id, filters,
        hit_count, hit_ids, hit_scores, duration_ms, user_id, api_key_id, conversation_id
    )
    SELECT
        CAST(:organization_id AS uuid), c.id, c.created_at, c.kind, c.query_text,
        c.source_node_id, CAST(c.filters AS jsonb), c.hit_count,
        (CAST(:hit_ids AS uuid[]))[c.hits_from + 1 : c.hits_from + c.hit_count],
        (CAST(:hit_scores AS float8[]))[c.scores_from + 1 : c.scores_from + c.score_count],
        c.duration_ms, c.user_id, c.api_key_id,
        (SELECT v.id FROM conversations v
         WHERE v.organization_id = CAST(:organization_id AS uuid) AND v.id = c.conversation_id)
    FROM unnest(
        CAST(:id AS uuid[]), CAST(:created_at AS timestamptz[]), CAST(:kind AS text[]),
        CAST(:query_text AS text[]), CAST(:source_node_id AS uuid[]), CAST(:filters AS text[]),
        CAST(:hit_count AS integer[]), CAST(:hits_from AS integer[]),
        CAST(:score_count AS integer[]), CAST(:scores_from AS integer[]),
        CAST(:duration_ms AS real[]), CAST(:user_id AS uuid[]), CAST(:api_key_id AS uuid[]),
        CAST(:conversation_id AS uuid[])
    ) AS c(
        id, created_at, kind, query_text, source_node_id, filters, hit_count, hits_from,
        score_count, scores_from, duration_ms, user_id, api_key_id, conversation_id
    )
    """
)
"""A batch's calls in one statement of one text whatever its size (PostgreSQL prepares it
once): columns as arrays, unnested. Executed with a list of rows, asyncpg ran an INSERT
per row. Hit ids and scores differ in length per call, so each is one flat array sliced
by the call's offset and count (an empty slice is an empty array). `kind` stays text so
that the column's own length check applies, as it did to a bound value (an explicit cast
to varchar(16) would cut it short). A call keeps its conversation only if the organization
has it: a client may name any id, and a batch must not fail on one."""


def _calls(entries: Sequence[RetrievalEntry], organization_id: uuid.UUID) -> dict[str, Any]:
    """`entries` as `_INSERT_CALLS`' arrays, each with its own id or one made for it."""
    made = iter(new_ids(sum(1 for e in entries if e.id is None)))
    hit_count = [len(e.hit_ids) for e in entries]
    score_count = [len(e.hit_scores) for e in entries]
    return {
        "organization_id": organization_id,
        "id": [next(made) if e.id is None else e.id for e in entries],
        "created_at": [e.created_at for e in entries],
        "kind": [e.kind for e in entries],
        "query_text": [e.query_text for e in entries],
        "source_node_id": [e.source_node_id for e in entries],
        "filters": [json.dumps(e.filters) for e in entries],
        "hit_count": hit_count,
        "hits_from": list(accumulate(hit_count, initial=0))[:-1],
        "hit_ids": [h for e in entries for h in e.hit_ids],
        "score_count": score_count,
        "scores_from": list(accumulate(score_count, initial=0))[:-1],
        "hit_scores": [s for e in entries for s in e.hit_scores],
        "duration_ms": [e.duration_ms for e in entries],
        "user_id": [e.user_id for e in entries],
        "api_key_id": [e.api_key_id for e in entries],
        "conversation_id": [e.conversation_id for e in entries],
    }


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
