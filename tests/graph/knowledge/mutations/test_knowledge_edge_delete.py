from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only
from tests.graph.knowledge.conftest import Given, edge_id, node_id

DELETE = """
mutation Delete($input: KnowledgeEdgeDeleteInput!) {
  knowledgeEdgeDelete(input: $input) {
    __typename
    ... on KnowledgeEdgeDeleteSuccess { deletedId }
    ... on ValidationError { message field }
    ... on NotFound { message }
  }
}
"""

OUTGOING = """
query Outgoing($id: ID!) {
  node(id: $id) { ... on KnowledgeNode { outgoing { type target { label } } } }
}
"""


async def test_an_editor_deletes_an_edge_and_only_that_edge_disappears(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    a, b, c = await given.nodes("A", "B", "C")
    doomed = await given.edge(a, b, "depends_on")
    await given.edge(a, c, "mentions")

    result = await gql(DELETE, {"input": {"id": edge_id(doomed)}}, token=world.editor.token)

    assert only(result, "knowledgeEdgeDelete") == {
        "__typename": "KnowledgeEdgeDeleteSuccess",
        "deletedId": edge_id(doomed),
    }
    read = await gql(OUTGOING, {"id": node_id(a)}, token=world.viewer.token)
    assert only(read, "node") == {"outgoing": [{"type": "mentions", "target": {"label": "C"}}]}
    (event,) = await audit_events(database, doomed.id)
    assert event.action == "knowledgeEdgeDelete" and event.actor_id == world.editor.user.id
    assert event.changes["deleted_at"]["old"] is None


async def test_deleting_a_deleted_edge_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)
    await given.deleted(edge)

    result = await gql(DELETE, {"input": {"id": edge_id(edge)}}, token=world.editor.token)

    assert only(result, "knowledgeEdgeDelete")["__typename"] == "NotFound"
    assert await given.audit_count() == 0


async def test_a_node_id_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("A")

    result = await gql(DELETE, {"input": {"id": node_id(node)}}, token=world.editor.token)

    payload = only(result, "knowledgeEdgeDelete")
    assert payload["__typename"] == "ValidationError" and payload["field"] == "id"


async def test_a_viewer_may_not_delete_edges(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)

    result = await gql(DELETE, {"input": {"id": edge_id(edge)}}, token=world.viewer.token)

    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    read = await gql(OUTGOING, {"id": node_id(a)}, token=world.viewer.token)
    assert len(only(read, "node")["outgoing"]) == 1


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient, given: Given) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)

    result = await gql(DELETE, {"input": {"id": edge_id(edge)}})

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
