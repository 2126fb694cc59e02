"""`knowledgeNodeUnlink`: a node forgets the document it was taken from."""

from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only
from tests.graph.knowledge.conftest import Given, node_id

UNLINK = """
mutation Unlink($input: KnowledgeNodeUnlinkInput!) {
  knowledgeNodeUnlink(input: $input) {
    __typename
    ... on KnowledgeNodeUnlinkSuccess { node { label version sourceDocument { title } } }
    ... on ValidationError { message field }
    ... on NotFound { message id }
    ... on VersionConflict { message currentVersion }
  }
}
"""

DOCUMENT = """
query Document($id: ID!) { node(id: $id) { ... on Document { knowledgeNodes { label } } } }
"""


async def test_an_editor_unlinks_a_node_and_the_document_no_longer_lists_it(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    document = await given.document("Source")
    node, _ = await given.nodes("Graphs", "Vectors", source_document_id=document.id)

    result = await gql(
        UNLINK, {"input": {"nodeId": node_id(node), "expectedVersion": 1}}, token=world.editor.token
    )

    assert only(result, "knowledgeNodeUnlink") == {
        "__typename": "KnowledgeNodeUnlinkSuccess",
        "node": {"label": "Graphs", "version": 2, "sourceDocument": None},
    }
    read = await gql(DOCUMENT, {"id": gid("Document", document.id)}, token=world.viewer.token)
    assert only(read, "node") == {"knowledgeNodes": [{"label": "Vectors"}]}
    (event,) = await audit_events(database, node.id)
    assert event.action == "knowledgeNodeUnlink" and event.actor_id == world.editor.user.id
    assert event.changes == {"source_document_id": {"old": str(document.id), "new": None}}


async def test_a_node_linked_to_a_document_the_caller_cannot_see_is_unlinked_too(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    private = await given.document("Admin's", owner="admin", visibility="PRIVATE")
    node = await given.node("Graphs", source_document_id=private.id)

    result = await gql(UNLINK, {"input": {"nodeId": node_id(node)}}, token=world.editor.token)

    assert only(result, "knowledgeNodeUnlink")["node"]["sourceDocument"] is None
    admin = await gql(DOCUMENT, {"id": gid("Document", private.id)}, token=world.admin.token)
    assert only(admin, "node") == {"knowledgeNodes": []}


async def test_a_stale_version_is_a_conflict_and_unlinks_nothing(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    document = await given.document("Source")
    node = await given.node("Graphs", source_document_id=document.id)

    result = await gql(
        UNLINK, {"input": {"nodeId": node_id(node), "expectedVersion": 2}}, token=world.editor.token
    )

    payload = only(result, "knowledgeNodeUnlink")
    assert payload["__typename"] == "VersionConflict" and payload["currentVersion"] == 1
    read = await gql(DOCUMENT, {"id": gid("Document", document.id)}, token=world.viewer.token)
    assert only(read, "node") == {"knowledgeNodes": [{"label": "Graphs"}]}
    assert await audit_events(database, node.id) == []


async def test_a_deleted_or_unknown_node_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("Gone")
    await given.deleted(node)

    result = await gql(UNLINK, {"input": {"nodeId": node_id(node)}}, token=world.editor.token)

    assert only(result, "knowledgeNodeUnlink") == {
        "__typename": "NotFound",
        "message": f"knowledge node {node_id(node)} was not found",
        "id": node_id(node),
    }
    assert await given.audit_count() == 0


async def test_a_viewer_may_not_unlink_and_anonymous_callers_must_authenticate(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("Graphs")

    viewer = await gql(UNLINK, {"input": {"nodeId": node_id(node)}}, token=world.viewer.token)
    anonymous = await gql(UNLINK, {"input": {"nodeId": node_id(node)}})

    assert [e["extensions"]["code"] for e in viewer["errors"]] == ["FORBIDDEN"]
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
