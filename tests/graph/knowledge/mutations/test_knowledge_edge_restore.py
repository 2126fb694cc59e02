from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only
from tests.graph.knowledge.conftest import Given, edge_id

RESTORE = """
mutation Restore($input: KnowledgeEdgeRestoreInput!) {
  knowledgeEdgeRestore(input: $input) {
    __typename
    ... on KnowledgeEdgeRestoreSuccess { edge { type version source { label } target { label } } }
    ... on ValidationError { message field }
    ... on NotFound { message }
  }
}
"""


async def test_an_admin_restores_a_deleted_edge(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b, "depends_on")
    await given.deleted(edge)

    result = await gql(RESTORE, {"input": {"id": edge_id(edge)}}, token=world.admin.token)

    assert only(result, "knowledgeEdgeRestore") == {
        "__typename": "KnowledgeEdgeRestoreSuccess",
        "edge": {
            "type": "depends_on",
            "version": 3,
            "source": {"label": "A"},
            "target": {"label": "B"},
        },
    }
    (event,) = await audit_events(database, edge.id)
    assert event.action == "knowledgeEdgeRestore" and event.actor_id == world.admin.user.id
    assert event.changes["deleted_at"]["new"] is None


async def test_an_edge_of_a_deleted_node_cannot_be_restored(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)
    await given.deleted(edge)
    await given.deleted(a)

    result = await gql(RESTORE, {"input": {"id": edge_id(edge)}}, token=world.admin.token)

    assert only(result, "knowledgeEdgeRestore")["__typename"] == "NotFound"
    assert await given.audit_count() == 0


async def test_restoring_a_live_edge_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)

    result = await gql(RESTORE, {"input": {"id": edge_id(edge)}}, token=world.admin.token)

    payload = only(result, "knowledgeEdgeRestore")
    assert payload["__typename"] == "ValidationError" and payload["field"] == "id"


async def test_an_editor_may_not_restore_edges(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)
    await given.deleted(edge)

    result = await gql(RESTORE, {"input": {"id": edge_id(edge)}}, token=world.editor.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient, given: Given) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)

    result = await gql(RESTORE, {"input": {"id": edge_id(edge)}})

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
