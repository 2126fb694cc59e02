from __future__ import annotations

import uuid

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only
from tests.graph.knowledge.conftest import Given, node_id

RESTORE = """
mutation Restore($input: KnowledgeNodeRestoreInput!) {
  knowledgeNodeRestore(input: $input) {
    __typename
    ... on KnowledgeNodeRestoreSuccess {
      node { label version outgoing { target { label } } }
    }
    ... on ValidationError { message field }
    ... on NotFound { message }
  }
}
"""


async def test_an_admin_restores_a_node_with_its_edges(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    node, other = await given.nodes("Back", "Other")
    await given.edge(node, other)
    await given.deleted(node)

    result = await gql(RESTORE, {"input": {"id": node_id(node)}}, token=world.admin.token)

    assert only(result, "knowledgeNodeRestore") == {
        "__typename": "KnowledgeNodeRestoreSuccess",
        "node": {"label": "Back", "version": 3, "outgoing": [{"target": {"label": "Other"}}]},
    }
    (event,) = await audit_events(database, node.id)
    assert event.action == "knowledgeNodeRestore" and event.actor_id == world.admin.user.id
    assert event.changes["deleted_at"]["new"] is None
    assert event.changes["deleted_at"]["old"] is not None


async def test_restoring_a_live_node_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("Alive")

    result = await gql(RESTORE, {"input": {"id": node_id(node)}}, token=world.admin.token)

    payload = only(result, "knowledgeNodeRestore")
    assert payload["__typename"] == "ValidationError" and payload["field"] == "id"
    assert await given.audit_count() == 0


async def test_restoring_an_unknown_node_is_not_found(gql: GraphQLClient, world: World) -> None:
    missing = gid("KnowledgeNode", uuid.uuid4())

    result = await gql(RESTORE, {"input": {"id": missing}}, token=world.admin.token)

    assert only(result, "knowledgeNodeRestore")["__typename"] == "NotFound"


async def test_an_editor_may_not_restore_nodes(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("N")
    await given.deleted(node)

    result = await gql(RESTORE, {"input": {"id": node_id(node)}}, token=world.editor.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.audit_count() == 0


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient, given: Given) -> None:
    node = await given.node("N")

    result = await gql(RESTORE, {"input": {"id": node_id(node)}})

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
