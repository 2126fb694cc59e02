"""The writer's rollups hold exactly the counts of the calls it was given: every rollup row
is compared with counts computed here from the entries by plain nested loops, so regrouping
the writer's counting cannot change a number."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from persistence.database import Database
from persistence.retrieval.models import (
    RetrievalDailyCalls,
    RetrievalDailyDocument,
    RetrievalDailyDuration,
    RetrievalDailyText,
)
from persistence.retrieval.writer import RetrievalEntry
from tests.graph.conftest import World

SPANS = [1, 2, 4, 8, 16, 32, 64, 128, 256]
EPOCH = date(1970, 1, 1)
TEXTS = ["Postgres", "  postgres ", "POSTGRES  tuning", "vacuum", "x" * 250, "nothing here"]
DOCUMENTS = [uuid.UUID(int=n * 7919 + 1) for n in range(15)]
AHEAD = timezone(timedelta(hours=5))


def _boundary() -> date:
    """A recent day that starts a block of every span up to 64 (days across it cross the
    block boundaries of those spans), recent enough for the retention to keep what is
    written around it."""
    day = datetime.now(UTC).date() - timedelta(days=3)
    return day - timedelta(days=(day - EPOCH).days % 64)


def _entries(world: World, count: int, seed: int) -> list[RetrievalEntry]:
    """Calls over several days across block boundaries: repeated texts and documents,
    zero-hit searches, similarity calls, and times given in another zone near midnight."""
    rnd = random.Random(seed)
    boundary = _boundary()
    days = [boundary + timedelta(days=d) for d in (-20, -3, -2, -1, 0, 1, 2)]
    made = []
    for n in range(count):
        day = rnd.choice(days)
        at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
            minutes=rnd.randrange(24 * 60)
        )
        if n % 5 == 0:
            at = at.astimezone(AHEAD)  # the same instant: it counts on its UTC day
        similar = n % 7 == 0
        hits = [] if n % 4 == 0 else rnd.sample(DOCUMENTS, rnd.randrange(1, 8))
        made.append(
            RetrievalEntry(
                organization_id=world.organization.id,
                kind="similar" if similar else "search",
                query_text=None if similar else rnd.choice(TEXTS),
                source_node_id=None,
                filters={},
                hit_ids=hits,
                hit_scores=[0.5] * len(hits),
                duration_ms=rnd.choice([0.04, 1.0, 1.26, 3.5, 12.0]),
                user_id=world.viewer.user.id,
                api_key_id=None,
                conversation_id=None,
                created_at=at,
            )
        )
    return made


def _expected(entries: list[RetrievalEntry]) -> dict[str, Counter[Any]]:
    """Every rollup's counts, one call and one span at a time."""
    expected: dict[str, Counter[Any]] = {
        "calls": Counter(),
        "durations": Counter(),
        "texts": Counter(),
        "documents": Counter(),
    }
    for entry in entries:
        day = entry.created_at.astimezone(UTC).date()
        zero = 1 if not entry.hit_ids else 0
        expected["calls"][(day, "queries")] += 1
        expected["calls"][(day, "zero")] += zero
        for span in SPANS:
            start = day - timedelta(days=(day - EPOCH).days % span)
            expected["durations"][(span, start, round(entry.duration_ms * 10))] += 1
            if entry.kind == "search":
                text = " ".join(entry.query_text.lower().split())[:200]  # type: ignore[union-attr]
                expected["texts"][(span, start, text, "queries")] += 1
                expected["texts"][(span, start, text, "zero")] += zero
                for document_id in entry.hit_ids:
                    expected["documents"][(span, start, document_id)] += 1
    return expected


async def _stored(database: Database, world: World) -> dict[str, Counter[Any]]:
    """Every rollup row of the organization, in the same shape as `_expected`."""
    org = world.organization.id
    stored: dict[str, Counter[Any]] = {name: Counter() for name in _expected([])}
    async with database.transaction() as session:
        for day, queries, zero in await session.execute(
            select(
                RetrievalDailyCalls.day,
                RetrievalDailyCalls.queries,
                RetrievalDailyCalls.zero_hit_queries,
            ).where(RetrievalDailyCalls.organization_id == org)
        ):
            stored["calls"][(day, "queries")] += queries
            stored["calls"][(day, "zero")] += zero
        for span, start, bucket, queries in await session.execute(
            select(
                RetrievalDailyDuration.days,
                RetrievalDailyDuration.day,
                RetrievalDailyDuration.duration_bucket,
                RetrievalDailyDuration.queries,
            ).where(RetrievalDailyDuration.organization_id == org)
        ):
            stored["durations"][(span, start, bucket)] += queries
        for span, start, text, queries, zero in await session.execute(
            select(
                RetrievalDailyText.days,
                RetrievalDailyText.day,
                RetrievalDailyText.text,
                RetrievalDailyText.queries,
                RetrievalDailyText.zero_hit_queries,
            ).where(RetrievalDailyText.organization_id == org)
        ):
            stored["texts"][(span, start, text, "queries")] += queries
            stored["texts"][(span, start, text, "zero")] += zero
        for span, start, document_id, returned in await session.execute(
            select(
                RetrievalDailyDocument.days,
                RetrievalDailyDocument.day,
                RetrievalDailyDocument.document_id,
                RetrievalDailyDocument.returned,
            ).where(RetrievalDailyDocument.organization_id == org)
        ):
            stored["documents"][(span, start, document_id)] += returned
    return stored


async def test_every_rollup_row_holds_the_counts_of_the_calls_of_its_block(
    app_with: Any, world: World, database: Database
) -> None:
    app, _ = await app_with(batch_size=1000, flush_seconds=3600)
    entries = _entries(world, 600, seed=11)

    for entry in entries:
        app.state.retrieval.record(entry)
    await app.state.retrieval.flush()

    stored = await _stored(database, world)
    expected = _expected(entries)
    assert {name: len(rows) for name, rows in stored.items()} == {
        name: len(rows) for name, rows in expected.items()
    }
    assert stored == expected


async def test_a_second_batch_adds_its_counts_to_the_rows_the_first_made(
    app_with: Any, world: World, database: Database
) -> None:
    app, _ = await app_with(batch_size=1000, flush_seconds=3600)
    first, second = _entries(world, 300, seed=12), _entries(world, 200, seed=13)

    for batch in (first, second):
        for entry in batch:
            app.state.retrieval.record(entry)
        await app.state.retrieval.flush()

    assert await _stored(database, world) == _expected(first + second)
