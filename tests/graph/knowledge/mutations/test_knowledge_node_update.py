from __future__ import annotations

import pytest

from persistence.database import Database
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only
from tests.graph.knowledge.conftest import Given, node_id

UPDATE = """
mutation Update($input: KnowledgeNodeUpdateInput!) {
  knowledgeNodeUpdate(input: $input) {
    __typename
    ... on KnowledgeNodeUpdateSuccess {
      node { label nodeType properties hasEmbedding version sourceDocument { title } }
    }
    ... on ValidationError { message field }
    ... on NotFound { message }
    ... on VersionConflict { message currentVersion }
  }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { ... on KnowledgeNode { label version } } }"

VECTOR = [0.5] * EMBEDDING_DIMENSIONS


async def test_an_editor_changes_only_the_fields_given_and_the_audit_shows_them(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    node = await given.node("Old", properties={"keep": 1})
    input = {"id": node_id(node), "expectedVersion": 1, "label": "New", "embedding": VECTOR}

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    payload = only(result, "knowledgeNodeUpdate")
    assert payload == {
        "__typename": "KnowledgeNodeUpdateSuccess",
        "node": {
            "label": "New",
            "nodeType": "concept",
            "properties": {"keep": 1},
            "hasEmbedding": True,
            "version": 2,
            "sourceDocument": None,
        },
    }
    (event,) = await audit_events(database, node.id)
    assert event.action == "knowledgeNodeUpdate"
    assert event.changes == {
        "label": {"old": "Old", "new": "New"},
        "embedding": {"old": False, "new": True},
    }


async def test_replacing_an_embedding_is_audited_as_changed_without_the_vector(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    node = await given.node("N", embedding=VECTOR)
    input = {"id": node_id(node), "expectedVersion": 1, "embedding": [0.25] * EMBEDDING_DIMENSIONS}

    await gql(UPDATE, {"input": input}, token=world.editor.token)

    (event,) = await audit_events(database, node.id)
    assert event.changes == {"embedding": {"old": True, "new": True}}


async def test_null_clears_the_embedding_the_properties_and_the_source_document(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    document = await given.document("Source")
    node = await given.node(
        "N", embedding=VECTOR, properties={"a": 1}, source_document_id=document.id
    )
    input = {
        "id": node_id(node),
        "expectedVersion": 1,
        "embedding": None,
        "properties": None,
        "sourceDocumentId": None,
    }

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    updated = only(result, "knowledgeNodeUpdate")["node"]
    assert updated["hasEmbedding"] is False and updated["properties"] == {}
    assert updated["sourceDocument"] is None
    (event,) = await audit_events(database, node.id)
    assert event.changes == {
        "embedding": {"old": True, "new": False},
        "properties": {"old": {"a": 1}, "new": {}},
        "source_document_id": {"old": str(document.id), "new": None},
    }


async def test_a_stale_version_is_a_conflict_with_the_current_version_and_writes_nothing(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    node = await given.node("N")
    first = {"id": node_id(node), "expectedVersion": 1, "label": "First"}
    await gql(UPDATE, {"input": first}, token=world.editor.token)

    result = await gql(UPDATE, {"input": first | {"label": "Second"}}, token=world.admin.token)

    assert only(result, "knowledgeNodeUpdate") == {
        "__typename": "VersionConflict",
        "message": (
            f"knowledge node {node_id(node)} was changed by someone else: it is at version 2"
        ),
        "currentVersion": 2,
    }
    read = only(await gql(NODE, {"id": node_id(node)}, token=world.viewer.token), "node")
    assert read == {"label": "First", "version": 2}
    assert len(await audit_events(database, node.id)) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"label": None}, "label"),
        ({"nodeType": None}, "nodeType"),
        ({"label": " "}, "label"),
        ({"properties": "text"}, "properties"),
        ({"embedding": [1.0]}, "embedding"),
        ({"sourceDocumentId": "VXNlcjox"}, "sourceDocumentId"),
    ],
)
async def test_invalid_changes_are_validation_errors_and_write_nothing(
    gql: GraphQLClient, world: World, database: Database, given: Given, change: dict, field: str
) -> None:
    node = await given.node("N")
    input = {"id": node_id(node), "expectedVersion": 1, **change}

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    payload = only(result, "knowledgeNodeUpdate")
    assert payload["__typename"] == "ValidationError" and payload["field"] == field
    read = only(await gql(NODE, {"id": node_id(node)}, token=world.viewer.token), "node")
    assert read == {"label": "N", "version": 1}
    assert await audit_events(database, node.id) == []


async def test_a_deleted_node_or_hidden_document_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    deleted, live = await given.nodes("Gone", "Here")
    await given.deleted(deleted)
    private = await given.document("Admin's", owner="admin", visibility="PRIVATE")

    gone = await gql(
        UPDATE,
        {"input": {"id": node_id(deleted), "expectedVersion": 1, "label": "X"}},
        token=world.editor.token,
    )
    hidden = await gql(
        UPDATE,
        {
            "input": {
                "id": node_id(live),
                "expectedVersion": 1,
                "sourceDocumentId": gid("Document", private.id),
            }
        },
        token=world.editor.token,
    )

    assert only(gone, "knowledgeNodeUpdate")["__typename"] == "NotFound"
    assert only(hidden, "knowledgeNodeUpdate")["__typename"] == "NotFound"
    assert await given.audit_count() == 0


async def test_a_viewer_may_not_update_nodes(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    node = await given.node("N")
    input = {"id": node_id(node), "expectedVersion": 1, "label": "X"}

    result = await gql(UPDATE, {"input": input}, token=world.viewer.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient, given: Given) -> None:
    node = await given.node("N")

    result = await gql(UPDATE, {"input": {"id": node_id(node), "expectedVersion": 1}})

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
