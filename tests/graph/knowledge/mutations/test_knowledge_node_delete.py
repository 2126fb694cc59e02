from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only
from tests.graph.knowledge.conftest import Given, edge_id, node_id

DELETE = """
mutation Delete($input: KnowledgeNodeDeleteInput!) {
  knowledgeNodeDelete(input: $input) {
    __typename
    ... on KnowledgeNodeDeleteSuccess { deletedId }
    ... on ValidationError { message field }
    ... on NotFound { message }
    ... on VersionConflict { message currentVersion }
  }
}
"""

READ = """
query Read($id: ID!, $edge: ID!) {
  node(id: $id) { id }
  edge: node(id: $edge) { id }
  knowledgeNodes { edges { node { label } } }
  knowledgeEdges { totalCount }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { id ... on KnowledgeNode { version } } }"


async def test_an_editor_deletes_a_node_and_it_disappears_with_its_edges(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    doomed, other = await given.nodes("Doomed", "Other")
    edge = await given.edge(other, doomed)

    result = await gql(DELETE, {"input": {"id": node_id(doomed)}}, token=world.editor.token)

    assert only(result, "knowledgeNodeDelete") == {
        "__typename": "KnowledgeNodeDeleteSuccess",
        "deletedId": node_id(doomed),
    }
    read = await gql(READ, {"id": node_id(doomed), "edge": edge_id(edge)}, token=world.viewer.token)
    assert read["data"] == {
        "node": None,
        "edge": None,
        "knowledgeNodes": {"edges": [{"node": {"label": "Other"}}]},
        "knowledgeEdges": {"totalCount": 0},
    }
    (event,) = await audit_events(database, doomed.id)
    assert event.action == "knowledgeNodeDelete" and event.actor_id == world.editor.user.id
    assert event.changes["deleted_at"]["old"] is None
    assert event.changes["deleted_at"]["new"] is not None


async def test_a_stale_expected_version_is_a_conflict_and_deletes_nothing(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    node = await given.node("N")

    result = await gql(
        DELETE, {"input": {"id": node_id(node), "expectedVersion": 7}}, token=world.editor.token
    )

    payload = only(result, "knowledgeNodeDelete")
    assert payload["__typename"] == "VersionConflict" and payload["currentVersion"] == 1
    still = await gql(NODE, {"id": node_id(node)}, token=world.viewer.token)
    assert only(still, "node") == {"id": node_id(node), "version": 1}
    assert await audit_events(database, node.id) == []


async def test_the_current_expected_version_deletes(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("N")

    result = await gql(
        DELETE, {"input": {"id": node_id(node), "expectedVersion": 1}}, token=world.editor.token
    )

    assert only(result, "knowledgeNodeDelete")["__typename"] == "KnowledgeNodeDeleteSuccess"


async def test_deleting_a_deleted_node_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("N")
    await given.deleted(node)

    result = await gql(DELETE, {"input": {"id": node_id(node)}}, token=world.editor.token)

    assert only(result, "knowledgeNodeDelete")["__typename"] == "NotFound"
    assert await given.audit_count() == 0


async def test_an_id_of_another_type_is_a_validation_error(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(DELETE, {"input": {"id": world.editor.global_id}}, token=world.editor.token)

    payload = only(result, "knowledgeNodeDelete")
    assert payload["__typename"] == "ValidationError" and payload["field"] == "id"


async def test_a_viewer_may_not_delete_nodes(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("N")

    result = await gql(DELETE, {"input": {"id": node_id(node)}}, token=world.viewer.token)

    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.audit_count() == 0


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient, given: Given) -> None:
    node = await given.node("N")

    result = await gql(DELETE, {"input": {"id": node_id(node)}})

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
