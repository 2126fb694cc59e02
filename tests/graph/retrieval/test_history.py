"""The retrieval history: every search and similarity call is recorded, off the request's
critical path, the same whichever execution path answered it."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from graph.compiler.pipeline import EXECUTION
from persistence.database import Database
from persistence.retrieval.models import (
    ROLLUP_SPANS,
    RetrievalDailyCalls,
    RetrievalDailyDuration,
    RetrievalDailyText,
    RetrievalQuery,
)
from persistence.retrieval.writer import RetrievalEntry
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid, row_id
from tests.graph.knowledge.queries.test_similar_nodes import at
from tests.graph.retrieval.conftest import (
    SEARCH,
    Corpus,
    history,
    post,
    request_statements,
)

SIMILAR = """
query Similar($to: ID, $vector: [Float!], $conversation: ID) {
  similarNodes(to: $to, vector: $vector, first: 2, conversationId: $conversation) {
    node { id }
  }
}
"""

START = """
mutation Start($input: ConversationCreateInput!) {
  conversationCreate(input: $input) { ... on ConversationCreateSuccess { conversation { id } } }
}
"""


@pytest.fixture
async def conversation(gql: GraphQLClient, world: World) -> str:
    """A conversation of the organization (the history keeps only ids that exist)."""
    result = await gql(START, {"input": {"title": "Support"}}, token=world.viewer.token)
    return result["data"]["conversationCreate"]["conversation"]["id"]  # type: ignore[no-any-return]


def recorded(row: RetrievalQuery) -> dict[str, Any]:
    """What a row says about its call, without what differs between two runs of it."""
    return {
        "kind": row.kind,
        "query_text": row.query_text,
        "source_node_id": row.source_node_id,
        "filters": row.filters,
        "hit_count": row.hit_count,
        "hit_ids": row.hit_ids,
        "hit_scores": row.hit_scores,
        "user_id": row.user_id,
        "api_key_id": row.api_key_id,
        "conversation_id": row.conversation_id,
    }


async def test_a_search_records_its_text_filters_ranked_hits_principal_and_conversation(
    app_with: Any, world: World, database: Database, corpus: Corpus, conversation: str
) -> None:
    app, http = await app_with()
    variables = {
        "query": "postgres",
        "first": 2,
        "conversation": conversation,
        "filter": {"ownerId": world.editor.global_id},
    }

    response = await post(http, SEARCH, variables, token=world.viewer.token)
    await app.state.retrieval.flush()

    assert response.headers[EXECUTION] == "compiled"
    edges = response.json()["data"]["searchDocuments"]["edges"]
    [row] = await history(database, world)
    assert recorded(row) == {
        "kind": "search",
        "query_text": "postgres",
        "source_node_id": None,
        "filters": {"ownerId": str(world.editor.user.id)},
        "hit_count": 2,
        "hit_ids": corpus.ids[:2],
        "hit_scores": [e["node"]["rank"] for e in edges],
        "user_id": world.viewer.user.id,
        "api_key_id": None,
        "conversation_id": row_id(conversation),
    }
    assert row.duration_ms > 0


async def test_both_execution_paths_record_the_same_call(
    app_with: Any, world: World, database: Database, corpus: Corpus, conversation: str
) -> None:
    compiled_app, compiled = await app_with(compiled_reads=True)
    reference_app, reference = await app_with(compiled_reads=False)
    variables = {"query": "postgres OR guide", "first": 3, "conversation": conversation}

    answers = [
        await post(http, SEARCH, variables, token=world.editor.token)
        for http in (compiled, reference)
    ]
    await compiled_app.state.retrieval.flush()
    await reference_app.state.retrieval.flush()

    assert [a.headers[EXECUTION] for a in answers] == ["compiled", "reference"]
    assert answers[0].json() == answers[1].json()
    first, second = await history(database, world)
    assert recorded(first) == recorded(second)
    assert first.hit_ids == corpus.ids


async def test_a_search_runs_no_more_statements_with_the_history_than_without(
    app_with: Any, world: World, app_database: Database, corpus: Corpus
) -> None:
    recording, with_history = await app_with(flush_seconds=3600)
    _, without_history = await app_with(queue_size=0)
    variables = {"query": "postgres", "first": 3}

    with request_statements(app_database.engine) as counts:
        for round in range(3):  # the first request of each app authenticates in full
            for name, http in (("with", with_history), ("without", without_history)):
                await post(
                    http, SEARCH, variables, token=world.viewer.token, request_id=f"{name}{round}"
                )

    assert counts["with0"] == counts["without0"], counts
    assert counts["with2"] == counts["without2"] == 1, counts  # a known caller: one statement
    assert recording.state.retrieval.pending == 3


async def test_similar_nodes_records_the_source_and_the_hits_by_distance(
    gql: GraphQLClient, app: Any, world: World, database: Database, given: Any, conversation: str
) -> None:
    near = await given.node("near", embedding=at(10))
    far = await given.node("far", embedding=at(80))

    await gql(SIMILAR, {"vector": at(0), "conversation": conversation}, token=world.admin.token)
    await gql(SIMILAR, {"to": gid("KnowledgeNode", near.id)}, token=world.admin.token)
    await app.state.retrieval.flush()

    by_vector, by_node = await history(database, world)
    assert (by_vector.kind, by_vector.source_node_id, by_vector.filters) == (
        "similar",
        None,
        {"source": "vector"},
    )
    assert by_vector.hit_ids == [near.id, far.id]
    assert by_vector.hit_scores == sorted(by_vector.hit_scores)
    assert by_vector.conversation_id == row_id(conversation)
    assert (by_node.source_node_id, by_node.hit_ids) == (near.id, [far.id])
    assert by_node.filters == {"source": "node"}


async def test_a_conversation_id_of_another_type_is_bad_user_input(
    gql: GraphQLClient, world: World, corpus: Corpus
) -> None:
    variables = {"query": "postgres", "conversation": gid("User", world.admin.user.id)}

    result = await gql(SEARCH, variables, token=world.viewer.token)

    assert result["data"] is None
    [error] = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "conversationId"


async def test_entries_past_a_full_queue_are_dropped_counted_and_warned_once(
    app_with: Any, world: World, database: Database, corpus: Corpus, caplog: Any
) -> None:
    app, http = await app_with(queue_size=2, flush_seconds=3600)
    caplog.set_level(logging.WARNING, logger="khub.retrieval")

    for _ in range(5):
        await post(http, SEARCH, {"query": "postgres"}, token=world.viewer.token)
    metrics = (await http.get("/metrics")).text
    await app.state.retrieval.flush()

    assert 'khub_retrieval_history_dropped_total{reason="overload"} 3.0' in metrics
    assert len([r for r in caplog.records if "queue full" in r.getMessage()]) == 1
    assert len(await history(database, world)) == 2


async def test_under_a_steady_stream_the_writer_writes_whole_batches_only(
    app_with: Any, world: World, database: Database, corpus: Corpus
) -> None:
    """Woken by a whole batch, the writer writes whole batches only: the rest, and calls
    arriving while it writes, wait for the next batch or the end of the interval (none
    here). Written at once, the writer would write back to back in small batches under
    load, each upserting its rollup rows anew. Each batch commits at once, so the rows
    written are whole batches at any moment."""
    app, http = await app_with(batch_size=4, flush_seconds=3600)
    search = {"query": "postgres"}

    for _ in range(5):  # six at once: a batch is due while two more arrive
        await asyncio.gather(
            *(post(http, SEARCH, search, token=world.viewer.token) for _ in range(6))
        )
        await asyncio.sleep(0.05)  # the writer's turn
        assert len(await history(database, world)) % 4 == 0
    await app.state.retrieval.flush()

    assert len(await history(database, world)) == 30


async def test_retention_deletes_expired_rows_and_their_rollups_in_batches(
    app_with: Any, world: World, database: Database
) -> None:
    app, _ = await app_with(retention_days=30, expire_batch=2)
    now = datetime.now(UTC)
    ages = [40, 35, 31, 29, 1]
    for days in ages:
        app.state.retrieval.record(_entry(world, created_at=now - timedelta(days=days)))
    await app.state.retrieval.flush()

    deleted = await app.state.retrieval.expire()

    assert deleted >= 3  # other tests' expired rows may go too
    kept = await history(database, world)
    assert [(now - row.created_at).days for row in kept] == [29, 1]
    async with database.transaction() as session:
        days = await session.scalars(
            select(func.min(RetrievalDailyCalls.day)).where(
                RetrievalDailyCalls.organization_id == world.organization.id
            )
        )
        assert days.one() == (now - timedelta(days=29)).date()
        blocks = await session.scalars(
            select(func.min(RetrievalDailyDuration.day)).where(
                RetrievalDailyDuration.organization_id == world.organization.id
            )
        )
        assert blocks.one() >= (now - timedelta(days=30)).date()  # none cut short


async def test_an_unknown_conversation_is_recorded_as_null_and_the_batch_still_lands(
    app_with: Any, world: World, database: Database, corpus: Corpus, conversation: str
) -> None:
    app, http = await app_with()

    for claimed in (gid("Conversation", uuid.UUID(int=7)), conversation):
        variables = {"query": "postgres", "conversation": claimed}
        response = await post(http, SEARCH, variables, token=world.viewer.token)
        assert "errors" not in response.json()
    await app.state.retrieval.flush()

    unknown, known = await history(database, world)
    assert (unknown.conversation_id, known.conversation_id) == (None, row_id(conversation))


def _entry(world: World, *, created_at: datetime) -> RetrievalEntry:
    return RetrievalEntry(
        organization_id=world.organization.id,
        kind="search",
        query_text="old",
        source_node_id=None,
        filters={},
        hit_ids=[],
        hit_scores=[],
        duration_ms=1.0,
        user_id=world.viewer.user.id,
        api_key_id=None,
        conversation_id=None,
        created_at=created_at,
    )


async def test_an_organization_that_keeps_its_history_shorter_has_it_expire_sooner(
    app_with: Any, gql: GraphQLClient, world: World, database: Database
) -> None:
    update = """mutation Keep($input: OrganizationSettingsUpdateInput!) {
      organizationSettingsUpdate(input: $input) { __typename }
    }"""
    given = {"input": {"expectedVersion": 0, "retrievalRetentionDays": 10}}
    settled = await gql(update, given, token=world.admin.token)
    assert settled["data"]["organizationSettingsUpdate"]["__typename"].endswith("Success")
    app, _ = await app_with(retention_days=30, expire_batch=10)
    now = datetime.now(UTC)
    for days in (20, 5):
        app.state.retrieval.record(_entry(world, created_at=now - timedelta(days=days)))
    await app.state.retrieval.flush()

    await app.state.retrieval.expire()

    assert [(now - row.created_at).days for row in await history(database, world)] == [5]


async def test_two_writers_adding_to_the_same_rollup_rows_at_once_both_land(
    app_with: Any, world: World, database: Database
) -> None:
    """Every call counts in the same long blocks: two instances' batches upsert the same
    rows in opposite orders. They must not deadlock: the per-day total, upserted first,
    makes the second batch of a day wait for the first to commit."""
    texts = [f"shared {n}" for n in range(30)]
    writers = [await app_with(flush_seconds=3600) for _ in range(2)]
    for _ in range(20):
        for (app, _http), order in zip(writers, (texts, texts[::-1]), strict=True):
            for text in order:
                app.state.retrieval.record(
                    replace(_entry(world, created_at=datetime.now(UTC)), query_text=text)
                )

        await asyncio.gather(*(app.state.retrieval.flush() for app, _ in writers))

    async with database.transaction() as session:
        counts = await session.execute(
            select(RetrievalDailyText.days, func.sum(RetrievalDailyText.queries))
            .where(
                RetrievalDailyText.organization_id == world.organization.id,
                RetrievalDailyText.text.in_(texts),
            )
            .group_by(RetrievalDailyText.days)
        )
        assert dict(counts.all()) == {span: 2 * 20 * len(texts) for span in ROLLUP_SPANS}
