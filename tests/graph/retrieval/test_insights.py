"""`retrievalInsights`: exact figures on a known history; admins only."""

from __future__ import annotations

import math
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from persistence.database import Database
from persistence.document.repository import DocumentRepository
from persistence.retrieval.models import (
    RetrievalDailyDocument,
    RetrievalDailyDuration,
    RetrievalDailyText,
    blocks,
)
from persistence.retrieval.writer import RetrievalEntry
from persistence.scope import Scope
from tests.graph.conftest import GraphQLClient, World

INSIGHTS = """
query Insights($range: RetrievalRange!) {
  retrievalInsights(range: $range) {
    from to queryCount zeroHitQueryCount
    queriesPerDay { day queries zeroHitQueries }
    topQueries { text queries }
    zeroHitQueries { text queries }
    durationP50Ms durationP95Ms
    mostCitedDocuments { document { title } returned }
    documentsNeverReturned { title }
  }
}
"""

INSIGHTS_ALL = INSIGHTS.replace("(range: $range)", "(range: $range, first: 100)")

TODAY = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
DAY1, DAY2 = TODAY - timedelta(days=2), TODAY - timedelta(days=1)


@pytest.fixture
async def recorded(app: Any, world: World, database: Database) -> None:
    """Six calls over two days: searches with and without hits, and a similarity search."""
    async with database.transaction() as session:
        a, b, _ = await DocumentRepository(
            session, Scope.system(world.organization.id)
        ).create_many([{"title": t, "content": t, "owner_id": world.editor.user.id} for t in "ABC"])
    calls = [
        (DAY1, "search", "Postgres", [a.id, b.id], 10.0),
        (DAY1, "search", "  postgres ", [a.id], 20.0),
        (DAY1, "search", "nothing here", [], 5.0),
        (DAY2, "search", "vacuum", [b.id, a.id], 40.0),
        (DAY2, "similar", None, [], 30.0),
        (DAY2, "search", "Nothing  here", [], 1.0),
    ]
    for at, kind, text, hits, duration in calls:
        app.state.retrieval.record(
            RetrievalEntry(
                organization_id=world.organization.id,
                kind=kind,
                query_text=text,
                source_node_id=None,
                filters={},
                hit_ids=hits,
                hit_scores=[0.5] * len(hits),
                duration_ms=duration,
                user_id=world.viewer.user.id,
                api_key_id=None,
                conversation_id=None,
                created_at=at,
            )
        )
    await app.state.retrieval.flush()


def _range(first: datetime, last: datetime) -> dict[str, Any]:
    return {"range": {"from": first.date().isoformat(), "to": last.date().isoformat()}}


async def test_insights_are_exact_over_the_whole_range(
    gql: GraphQLClient, world: World, recorded: None
) -> None:
    result = await gql(INSIGHTS, _range(DAY1, TODAY), token=world.admin.token)

    assert "errors" not in result, result
    assert result["data"]["retrievalInsights"] == {
        "from": DAY1.date().isoformat(),
        "to": TODAY.date().isoformat(),
        "queryCount": 6,
        "zeroHitQueryCount": 3,
        "queriesPerDay": [
            {"day": DAY1.date().isoformat(), "queries": 3, "zeroHitQueries": 1},
            {"day": DAY2.date().isoformat(), "queries": 3, "zeroHitQueries": 2},
        ],
        "topQueries": [
            {"text": "nothing here", "queries": 2},
            {"text": "postgres", "queries": 2},
            {"text": "vacuum", "queries": 1},
        ],
        "zeroHitQueries": [{"text": "nothing here", "queries": 2}],
        "durationP50Ms": 10.0,
        "durationP95Ms": 40.0,
        "mostCitedDocuments": [
            {"document": {"title": "A"}, "returned": 3},
            {"document": {"title": "B"}, "returned": 2},
        ],
        "documentsNeverReturned": [{"title": "C"}],
    }


async def test_insights_count_only_the_days_of_the_range(
    gql: GraphQLClient, world: World, recorded: None
) -> None:
    result = await gql(INSIGHTS, _range(DAY2, DAY2), token=world.admin.token)

    insights = result["data"]["retrievalInsights"]
    assert (insights["queryCount"], insights["zeroHitQueryCount"]) == (3, 2)
    assert insights["topQueries"] == [
        {"text": "nothing here", "queries": 1},
        {"text": "vacuum", "queries": 1},
    ]
    assert (insights["durationP50Ms"], insights["durationP95Ms"]) == (30.0, 40.0)
    assert insights["mostCitedDocuments"] == [  # a tie: by id, so in creation order
        {"document": {"title": "A"}, "returned": 1},
        {"document": {"title": "B"}, "returned": 1},
    ]
    assert insights["documentsNeverReturned"] == [{"title": "C"}]


async def test_an_empty_range_has_no_figures(gql: GraphQLClient, world: World) -> None:
    result = await gql(INSIGHTS, _range(DAY1, DAY1), token=world.admin.token)

    insights = result["data"]["retrievalInsights"]
    assert (insights["queryCount"], insights["durationP50Ms"], insights["topQueries"]) == (
        0,
        None,
        [],
    )


@pytest.mark.parametrize("member", ["editor", "viewer"])
async def test_only_admins_read_insights(gql: GraphQLClient, world: World, member: str) -> None:
    result = await gql(INSIGHTS, _range(DAY1, TODAY), token=world.members[member].token)

    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_a_backwards_or_too_long_range_is_bad_user_input(
    gql: GraphQLClient, world: World
) -> None:
    for first, last in ((DAY2, DAY1), (DAY1 - timedelta(days=400), DAY1)):
        result = await gql(INSIGHTS, _range(first, last), token=world.admin.token)

        [error] = result["errors"]
        assert (error["extensions"]["code"], error["extensions"]["field"]) == (
            "BAD_USER_INPUT",
            "range",
        )


@pytest.fixture
async def ten_weeks(app: Any, world: World, database: Database) -> dict[uuid.UUID, str]:
    """Two or three calls a day over the last 75 days (across two month boundaries at
    least), with repeating texts, durations and hits; the documents' titles by id."""
    async with database.transaction() as session:
        documents = await DocumentRepository(
            session, Scope.system(world.organization.id)
        ).create_many(
            [{"title": t, "content": t, "owner_id": world.editor.user.id} for t in "ABCDEF"]
        )
    for age in range(75):
        for call in range(2 + age % 2):
            n = age * 3 + call
            hits = [documents[(n * k) % 5].id for k in range(n % 4)]  # F is never returned
            app.state.retrieval.record(
                RetrievalEntry(
                    organization_id=world.organization.id,
                    kind="search" if n % 6 else "similar",
                    query_text=f"Query {n % 7}" if n % 6 else None,
                    source_node_id=None,
                    filters={},
                    hit_ids=hits,
                    hit_scores=[0.5] * len(hits),
                    duration_ms=1 + (n * 37 % 50) / 10,
                    user_id=world.viewer.user.id,
                    api_key_id=None,
                    conversation_id=None,
                    created_at=TODAY - timedelta(days=age, hours=call),
                )
            )
    await app.state.retrieval.flush()
    return {d.id: d.title for d in documents}


async def _from_daily_rows(
    database: Database, world: World, titles: dict[uuid.UUID, str], first: date, last: date
) -> dict[str, Any]:
    """The figures the insights must give, summed from the one-day rows alone."""
    org = world.organization.id

    def daily(model: Any) -> list[Any]:
        return [
            model.organization_id == org,
            model.days == 1,
            model.day.between(first, last),
        ]

    async with database.transaction() as session:
        durations = sorted(
            bucket
            for bucket, n in await session.execute(
                select(
                    RetrievalDailyDuration.duration_bucket, RetrievalDailyDuration.queries
                ).where(*daily(RetrievalDailyDuration))
            )
            for _ in range(n)
        )
        texts: Counter[str] = Counter()
        zero: Counter[str] = Counter()
        for text, n, z in await session.execute(
            select(
                RetrievalDailyText.text,
                RetrievalDailyText.queries,
                RetrievalDailyText.zero_hit_queries,
            ).where(*daily(RetrievalDailyText))
        ):
            texts[text] += n
            zero[text] += z
        cited: Counter[uuid.UUID] = Counter()
        for document_id, n in await session.execute(
            select(RetrievalDailyDocument.document_id, RetrievalDailyDocument.returned).where(
                *daily(RetrievalDailyDocument)
            )
        ):
            cited[document_id] += n

    def nearest_rank(p: int) -> float | None:
        return durations[math.ceil(len(durations) * p / 100) - 1] / 10 if durations else None

    def most(counts: Counter[Any]) -> list[tuple[Any, int]]:
        return sorted(((k, n) for k, n in counts.items() if n), key=lambda kn: (-kn[1], kn[0]))

    return {
        "queryCount": len(durations),
        "topQueries": [{"text": t, "queries": n} for t, n in most(texts)],
        "zeroHitQueries": [{"text": t, "queries": n} for t, n in most(zero)],
        "durationP50Ms": nearest_rank(50),
        "durationP95Ms": nearest_rank(95),
        "mostCitedDocuments": [
            {"document": {"title": titles[i]}, "returned": n} for i, n in most(cited)
        ],
        "documentsNeverReturned": [{"title": t} for i, t in titles.items() if i not in cited],
    }


async def test_blocks_of_days_give_exactly_the_figures_of_the_days_across_months(
    gql: GraphQLClient, world: World, database: Database, ten_weeks: dict[uuid.UUID, str]
) -> None:
    today = TODAY.date()
    month_start = today.replace(day=1)
    previous_month = (month_start - timedelta(days=1)).replace(day=1)
    ranges = [
        (today - timedelta(days=74), today),
        (today - timedelta(days=80), today - timedelta(days=3)),
        (previous_month - timedelta(days=5), month_start + timedelta(days=2)),
        (previous_month + timedelta(days=1), month_start - timedelta(days=1)),
        (today - timedelta(days=40), today - timedelta(days=9)),
    ]
    assert any(span > 1 for first, last in ranges for span, _ in blocks(first, last))

    for first, last in ranges:
        result = await gql(
            INSIGHTS_ALL,
            {"range": {"from": first.isoformat(), "to": last.isoformat()}},
            token=world.admin.token,
        )

        insights = result["data"]["retrievalInsights"]
        expected = await _from_daily_rows(database, world, ten_weeks, first, last)
        assert {k: insights[k] for k in expected} == expected, (first, last)


def test_blocks_cover_a_range_exactly_with_at_most_two_of_a_span() -> None:
    start = date(2026, 1, 1)
    for offset in range(0, 400, 7):
        for length in (1, 2, 3, 30, 31, 90, 365, 366):
            first = start + timedelta(days=offset)
            last = first + timedelta(days=length - 1)
            covered = blocks(first, last)

            days = [day + timedelta(days=i) for span, day in covered for i in range(span)]
            assert days == [first + timedelta(days=i) for i in range(length)]
            assert max(Counter(span for span, _ in covered).values()) <= 2
