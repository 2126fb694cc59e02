"""Insights over the retrieval history, read from the rollups (admins only).

Queries per day come from the per-day totals; the rest from the rollups' aligned blocks of
1 to 256 days (`blocks`): the range, cut to its first and last day with calls, is a union
of at most two blocks per span, so a range costs a few blocks times the distinct texts,
durations or documents, not its days or calls. Percentiles are nearest-rank over
durations rounded to a tenth of a millisecond.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, exists, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.document.repository import DocumentRepository
from persistence.retrieval.models import (
    DURATION_BUCKETS_PER_MS,
    RetrievalDailyCalls,
    RetrievalDailyDocument,
    RetrievalDailyDuration,
    RetrievalDailyText,
    blocks,
)
from persistence.scope import Scope

MAX_RANGE_DAYS = 366
MAX_TOP = 100


@dataclass(frozen=True)
class DayCount:
    day: date
    queries: int
    zero_hit_queries: int


@dataclass(frozen=True)
class TextCount:
    text: str
    queries: int


@dataclass(frozen=True)
class DocumentCount:
    document_id: uuid.UUID
    returned: int


@dataclass(frozen=True)
class Durations:
    p50_ms: float | None
    p95_ms: float | None


class RetrievalInsights:
    """One organization's insights between two days (both included).

    `per_day` comes first: the other figures read only the blocks between the first and
    the last day with calls, which also keeps them off blocks cut short by retention."""

    def __init__(self, session: AsyncSession, scope: Scope, first: date, last: date) -> None:
        self.session = session
        self.scope = scope
        self.first = first
        self.last = last
        self.blocks: list[tuple[int, date]] = []

    def _in_blocks(self, model: type) -> list:  # type: ignore[type-arg]
        columns: object = model
        return [
            columns.organization_id == self.scope.organization_id,  # type: ignore[attr-defined]
            tuple_(columns.days, columns.day).in_(self.blocks),  # type: ignore[attr-defined]
        ]

    async def per_day(self) -> list[DayCount]:
        """Calls per day (days without calls are left out), oldest first."""
        c = RetrievalDailyCalls
        stmt = (
            select(c.day, c.queries, c.zero_hit_queries)
            .where(
                c.organization_id == self.scope.organization_id,
                c.day.between(self.first, self.last),
            )
            .order_by(c.day)
        )
        days = [DayCount(day, int(n), int(z)) for day, n, z in await self.session.execute(stmt)]
        self.blocks = blocks(days[0].day, days[-1].day) if days else []
        return days

    async def durations(self) -> Durations:
        """p50 and p95 of the calls' durations, nearest-rank; None without calls."""
        if not self.blocks:
            return Durations(p50_ms=None, p95_ms=None)
        d = RetrievalDailyDuration
        buckets = (
            select(d.duration_bucket, func.sum(d.queries).label("n"))
            .where(*self._in_blocks(d))
            .group_by(d.duration_bucket)
            .subquery()
        )
        running = select(
            buckets.c.duration_bucket,
            func.sum(buckets.c.n).over(order_by=buckets.c.duration_bucket).label("upto"),
            func.sum(buckets.c.n).over().label("total"),
        ).subquery()

        def percentile(p: int) -> Select:  # type: ignore[type-arg]
            # nearest rank: the smallest value with at least ceil(p% of n) values at or below
            rank = func.ceil(running.c.total * p / 100.0)
            return select(func.min(running.c.duration_bucket)).where(running.c.upto >= rank)

        p50, p95 = (
            await self.session.execute(
                select(percentile(50).scalar_subquery(), percentile(95).scalar_subquery())
            )
        ).one()
        scale = float(DURATION_BUCKETS_PER_MS)
        return Durations(
            p50_ms=None if p50 is None else p50 / scale,
            p95_ms=None if p95 is None else p95 / scale,
        )

    async def top_texts(self, *, first: int, zero_hits: bool) -> list[TextCount]:
        """The most frequent search texts (or those with no hits), most first, then by text."""
        if not self.blocks:
            return []
        t = RetrievalDailyText
        counted = func.sum(t.zero_hit_queries if zero_hits else t.queries)
        stmt = (
            select(t.text, counted.label("n"))
            .where(*self._in_blocks(t))
            .group_by(t.text)
            .having(counted > 0)
            .order_by(counted.desc(), t.text)
            .limit(first)
        )
        return [TextCount(text, int(n)) for text, n in await self.session.execute(stmt)]

    async def most_returned(self, *, first: int) -> list[DocumentCount]:
        """Documents returned most often by searches, most first, then by id."""
        if not self.blocks:
            return []
        d = RetrievalDailyDocument
        counted = func.sum(d.returned)
        stmt = (
            select(d.document_id, counted)
            .where(*self._in_blocks(d))
            .group_by(d.document_id)
            .order_by(counted.desc(), d.document_id)
            .limit(first)
        )
        return [DocumentCount(i, int(n)) for i, n in await self.session.execute(stmt)]

    async def never_returned(self, *, first: int) -> list[uuid.UUID]:
        """Live documents (that the admin sees) no search returned in the range, oldest
        first."""
        d = RetrievalDailyDocument
        documents = DocumentRepository(self.session, self.scope).select().subquery()
        stmt = select(documents.c.id)
        if self.blocks:
            returned = exists().where(and_(*self._in_blocks(d), d.document_id == documents.c.id))
            stmt = stmt.where(~returned)
        # a literal LIMIT: the app's generic plans otherwise anti-join every document
        limit = literal(first, literal_execute=True)
        stmt = stmt.order_by(documents.c.created_at, documents.c.id).limit(limit)
        return list(await self.session.scalars(stmt))
