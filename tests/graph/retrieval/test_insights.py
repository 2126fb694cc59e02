"""`retrievalInsights`: exact figures on a known history; admins only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from persistence.database import Database
from persistence.document.repository import DocumentRepository
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
