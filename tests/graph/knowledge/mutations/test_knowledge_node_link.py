"""`knowledgeNodeLink`: a node records the document it was taken from."""

from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only
from tests.graph.knowledge.conftest import Given, node_id

LINK = """
mutation Link($input: KnowledgeNodeLinkInput!) {
  knowledgeNodeLink(input: $input) {
    __typename
    ... on KnowledgeNodeLinkSuccess { node { label version sourceDocument { title } } }
    ... on ValidationError { message field }
    ... on NotFound { message id }
    ... on VersionConflict { message currentVersion }
  }
}
"""

DOCUMENT = """
query Document($id: ID!) {
  node(id: $id) { ... on Document { title knowledgeNodes { label } } }
}
"""


def document_id(document: object) -> str:
    return gid("Document", document.id)  # type: ignore[attr-defined]


async def test_an_editor_links_a_node_and_the_document_lists_it(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    document = await given.document("Source")
    node = await given.node("Graphs")
    input = {"nodeId": node_id(node), "documentId": document_id(document)}

    result = await gql(LINK, {"input": input}, token=world.editor.token)

    assert only(result, "knowledgeNodeLink") == {
        "__typename": "KnowledgeNodeLinkSuccess",
        "node": {"label": "Graphs", "version": 2, "sourceDocument": {"title": "Source"}},
    }
    read = await gql(DOCUMENT, {"id": document_id(document)}, token=world.viewer.token)
    assert only(read, "node") == {"title": "Source", "knowledgeNodes": [{"label": "Graphs"}]}
    (event,) = await audit_events(database, node.id)
    assert event.action == "knowledgeNodeLink" and event.actor_id == world.editor.user.id
    assert event.changes == {"source_document_id": {"old": None, "new": str(document.id)}}


async def test_linking_again_moves_the_node_to_the_new_document(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    old, new = await given.document("Old"), await given.document("New")
    node = await given.node("Graphs", source_document_id=old.id)
    input = {"nodeId": node_id(node), "documentId": document_id(new), "expectedVersion": 1}

    result = await gql(LINK, {"input": input}, token=world.editor.token)

    assert only(result, "knowledgeNodeLink")["node"]["sourceDocument"] == {"title": "New"}
    read = await gql(DOCUMENT, {"id": document_id(old)}, token=world.viewer.token)
    assert only(read, "node")["knowledgeNodes"] == []
    (event,) = await audit_events(database, node.id)
    assert event.changes == {"source_document_id": {"old": str(old.id), "new": str(new.id)}}


async def test_a_document_the_caller_cannot_see_is_not_found_and_nothing_changes(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    private = await given.document("Admin's", owner="admin", visibility="PRIVATE")
    deleted = await given.document("Gone")
    await given.deleted(deleted)
    node = await given.node("Graphs")

    results = [
        await gql(
            LINK,
            {"input": {"nodeId": node_id(node), "documentId": document_id(document)}},
            token=world.editor.token,
        )
        for document in (private, deleted)
    ]

    assert [only(r, "knowledgeNodeLink") for r in results] == [
        {
            "__typename": "NotFound",
            "message": f"document {document_id(document)} was not found",
            "id": document_id(document),
        }
        for document in (private, deleted)
    ]
    assert await given.audit_count() == 0


async def test_a_deleted_node_is_not_found(gql: GraphQLClient, world: World, given: Given) -> None:
    document = await given.document("Source")
    node = await given.node("Gone")
    await given.deleted(node)
    input = {"nodeId": node_id(node), "documentId": document_id(document)}

    result = await gql(LINK, {"input": input}, token=world.editor.token)

    assert only(result, "knowledgeNodeLink")["__typename"] == "NotFound"
    assert await given.audit_count() == 0


async def test_a_stale_version_is_a_conflict_and_links_nothing(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    document = await given.document("Source")
    node = await given.node("Graphs")
    input = {"nodeId": node_id(node), "documentId": document_id(document), "expectedVersion": 3}

    result = await gql(LINK, {"input": input}, token=world.editor.token)

    payload = only(result, "knowledgeNodeLink")
    assert payload["__typename"] == "VersionConflict" and payload["currentVersion"] == 1
    read = await gql(DOCUMENT, {"id": document_id(document)}, token=world.viewer.token)
    assert only(read, "node")["knowledgeNodes"] == []
    assert await audit_events(database, node.id) == []


async def test_ids_of_the_wrong_type_are_validation_errors(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document("Source")
    node = await given.node("Graphs")

    swapped = await gql(
        LINK,
        {"input": {"nodeId": document_id(document), "documentId": node_id(node)}},
        token=world.editor.token,
    )
    wrong_document = await gql(
        LINK,
        {"input": {"nodeId": node_id(node), "documentId": node_id(node)}},
        token=world.editor.token,
    )

    assert only(swapped, "knowledgeNodeLink")["field"] == "nodeId"
    assert only(wrong_document, "knowledgeNodeLink")["field"] == "documentId"
    assert await given.audit_count() == 0


async def test_a_viewer_may_not_link_and_anonymous_callers_must_authenticate(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document("Source")
    node = await given.node("Graphs")
    input = {"nodeId": node_id(node), "documentId": document_id(document)}

    viewer = await gql(LINK, {"input": input}, token=world.viewer.token)
    anonymous = await gql(LINK, {"input": input})

    assert [e["extensions"]["code"] for e in viewer["errors"]] == ["FORBIDDEN"]
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
    assert await given.audit_count() == 0
