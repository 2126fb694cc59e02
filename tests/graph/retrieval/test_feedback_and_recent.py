"""`retrievalFeedback` and `viewer.recentQueries`: each user rates and reads their own calls."""

from __future__ import annotations

from typing import Any

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid
from tests.graph.retrieval.conftest import SEARCH, Corpus, history

FEEDBACK = """
mutation Feedback($input: RetrievalFeedbackInput!) {
  retrievalFeedback(input: $input) {
    __typename
    ... on RetrievalFeedbackSuccess { useful document { title } query { queryText } }
    ... on ValidationError { field message }
    ... on NotFound { message }
  }
}
"""

RECENT = """
query Recent($first: Int, $after: String) {
  viewer {
    recentQueries(first: $first, after: $after) {
      edges { node { queryText hitCount kind hits { rank document { title } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

SOMEONE_RECENT = """
query Someone($id: ID!) { node(id: $id) { ... on User { recentQueries { edges { cursor } } } } }
"""


async def _searched(gql: GraphQLClient, app: Any, member: Any, *queries: str) -> None:
    for query in queries:
        result = await gql(SEARCH, {"query": query}, token=member.token)
        assert "errors" not in result, result
    await app.state.retrieval.flush()


async def test_the_caller_rates_a_hit_of_their_search_and_a_second_verdict_replaces_it(
    gql: GraphQLClient, app: Any, world: World, database: Database, corpus: Corpus
) -> None:
    await _searched(gql, app, world.viewer, "postgres")
    [query] = await history(database, world)
    given = {
        "queryId": gid("RetrievalQuery", query.id),
        "documentId": gid("Document", corpus.ids[1]),
    }

    first = await gql(FEEDBACK, {"input": {**given, "useful": True}}, token=world.viewer.token)
    second = await gql(FEEDBACK, {"input": {**given, "useful": False}}, token=world.viewer.token)

    assert first["data"]["retrievalFeedback"] == {
        "__typename": "RetrievalFeedbackSuccess",
        "useful": True,
        "document": {"title": "Guide 3"},
        "query": {"queryText": "postgres"},
    }
    assert second["data"]["retrievalFeedback"]["useful"] is False


async def test_a_document_outside_the_hits_is_a_validation_error(
    gql: GraphQLClient, app: Any, world: World, database: Database, corpus: Corpus
) -> None:
    await _searched(gql, app, world.viewer, "other")  # matches every document...
    await _searched(gql, app, world.viewer, "nothing matches this")
    _, empty = await history(database, world)
    given = {
        "queryId": gid("RetrievalQuery", empty.id),
        "documentId": gid("Document", corpus.ids[0]),
    }

    result = await gql(FEEDBACK, {"input": {**given, "useful": True}}, token=world.viewer.token)

    assert result["data"]["retrievalFeedback"]["__typename"] == "ValidationError"
    assert result["data"]["retrievalFeedback"]["field"] == "documentId"


async def test_only_the_caller_or_an_admin_rates_a_query(
    gql: GraphQLClient, app: Any, world: World, database: Database, corpus: Corpus
) -> None:
    await _searched(gql, app, world.viewer, "postgres")
    [query] = await history(database, world)
    given = {
        "queryId": gid("RetrievalQuery", query.id),
        "documentId": gid("Document", corpus.ids[0]),
        "useful": True,
    }

    editor = await gql(FEEDBACK, {"input": given}, token=world.editor.token)
    admin = await gql(FEEDBACK, {"input": given}, token=world.admin.token)

    assert editor["data"]["retrievalFeedback"]["__typename"] == "NotFound"
    assert admin["data"]["retrievalFeedback"]["__typename"] == "RetrievalFeedbackSuccess"


async def test_recent_queries_are_the_callers_own_newest_first_and_page(
    gql: GraphQLClient, app: Any, world: World, corpus: Corpus
) -> None:
    await _searched(gql, app, world.viewer, "postgres", "guide", "zebra")
    await _searched(gql, app, world.editor, "the editor's")

    page = await gql(RECENT, {"first": 2}, token=world.viewer.token)
    connection = page["data"]["viewer"]["recentQueries"]
    rest = await gql(
        RECENT, {"first": 2, "after": connection["pageInfo"]["endCursor"]}, token=world.viewer.token
    )

    nodes = [e["node"] for e in connection["edges"]]
    assert [(n["queryText"], n["hitCount"], n["kind"]) for n in nodes] == [
        ("zebra", 0, "SEARCH"),
        ("guide", 3, "SEARCH"),
    ]
    assert [h["rank"] for h in nodes[1]["hits"]] == [1, 2, 3]
    assert connection["pageInfo"]["hasNextPage"] is True
    later = rest["data"]["viewer"]["recentQueries"]
    assert [e["node"]["queryText"] for e in later["edges"]] == ["postgres"]
    assert later["pageInfo"]["hasNextPage"] is False


async def test_nobody_reads_another_users_recent_queries_not_even_an_admin(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(SOMEONE_RECENT, {"id": world.viewer.global_id}, token=world.admin.token)

    [error] = result["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
