from __future__ import annotations

import json

import pytest

from persistence.database import Database
from persistence.knowledge.models import EMBEDDING_DIMENSIONS, KnowledgeNode
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only, row_id
from tests.graph.knowledge.conftest import Given

CREATE = """
mutation Create($input: KnowledgeNodeCreateInput!) {
  knowledgeNodeCreate(input: $input) {
    __typename
    ... on KnowledgeNodeCreateSuccess {
      node { id label nodeType properties hasEmbedding version sourceDocument { title } }
    }
    ... on ValidationError { message field }
    ... on NotFound { message }
  }
}
"""

VECTOR = [i / EMBEDDING_DIMENSIONS for i in range(EMBEDDING_DIMENSIONS)]


async def test_an_editor_creates_a_node_and_the_audit_records_no_vector(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    document = await given.document("Design notes")
    input = {
        "label": "Vector search",
        "nodeType": "concept",
        "properties": {"aliases": ["ANN"]},
        "embedding": VECTOR,
        "sourceDocumentId": gid("Document", document.id),
    }

    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    payload = only(result, "knowledgeNodeCreate")
    assert payload["__typename"] == "KnowledgeNodeCreateSuccess"
    assert payload["node"] | {"id": None} == {
        "id": None,
        "label": "Vector search",
        "nodeType": "concept",
        "properties": {"aliases": ["ANN"]},
        "hasEmbedding": True,
        "version": 1,
        "sourceDocument": {"title": "Design notes"},
    }
    (event,) = await audit_events(database, row_id(payload["node"]["id"]))
    assert event.action == "knowledgeNodeCreate" and event.entity_type == "KnowledgeNode"
    assert event.actor_id == world.editor.user.id
    assert event.changes == {
        "label": {"old": None, "new": "Vector search"},
        "node_type": {"old": None, "new": "concept"},
        "properties": {"old": None, "new": {"aliases": ["ANN"]}},
        "source_document_id": {"old": None, "new": str(document.id)},
        "embedding": {"old": False, "new": True},
    }


async def test_a_node_needs_only_a_label_and_a_type(gql: GraphQLClient, world: World) -> None:
    input = {"label": "Plain", "nodeType": "person"}

    result = await gql(CREATE, {"input": input}, token=world.admin.token)

    node = only(result, "knowledgeNodeCreate")["node"]
    assert node["properties"] == {} and node["hasEmbedding"] is False
    assert node["sourceDocument"] is None


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"label": "  ", "nodeType": "concept"}, "label"),
        ({"label": "N", "nodeType": ""}, "nodeType"),
        ({"label": "N", "nodeType": "concept", "properties": [1]}, "properties"),
        ({"label": "N", "nodeType": "concept", "embedding": [0.5, 0.5]}, "embedding"),
        ({"label": "N", "nodeType": "concept", "embedding": [1e308] * 384}, "embedding"),
        ({"label": "N", "nodeType": "concept", "sourceDocumentId": "VXNlcjox"}, "sourceDocumentId"),
    ],
)
async def test_invalid_input_is_a_validation_error_and_writes_nothing(
    gql: GraphQLClient, world: World, given: Given, input: dict, field: str
) -> None:
    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    payload = only(result, "knowledgeNodeCreate")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == field
    assert await given.stored(KnowledgeNode) == 0 and await given.audit_count() == 0


async def test_an_infinite_literal_in_the_embedding_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    # JSON cannot carry NaN or Infinity, but GraphQL parses the literal 1e309 as infinity.
    values = ", ".join(["1e309"] + ["0"] * (EMBEDDING_DIMENSIONS - 1))
    literal = f"""mutation {{
      knowledgeNodeCreate(input: {{label: "N", nodeType: "c", embedding: [{values}]}}) {{
        __typename ... on ValidationError {{ field }}
      }}
    }}"""

    result = await gql(literal, token=world.editor.token)

    assert only(result, "knowledgeNodeCreate") == {
        "__typename": "ValidationError",
        "field": "embedding",
    }
    assert await given.stored(KnowledgeNode) == 0


async def test_an_infinite_variable_is_refused_before_anything_runs(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    # A hand-written body: Python's JSON reads 1e309 as infinity, which Float refuses.
    embedding = "[" + ",".join(["1e309"] + ["0"] * (EMBEDDING_DIMENSIONS - 1)) + "]"
    body = (
        '{"query": ' + json.dumps(CREATE) + ', "variables": {"input": '
        '{"label": "N", "nodeType": "c", "embedding": ' + embedding + "}}}"
    )

    response = await gql.http.post(
        "/graphql",
        content=body,
        headers={
            "Authorization": f"Bearer {world.editor.token}",
            "Content-Type": "application/json",
        },
    )

    errors = response.json()["errors"]
    assert len(errors) == 1 and "Float cannot represent" in errors[0]["message"]
    assert await given.stored(KnowledgeNode) == 0


@pytest.mark.parametrize("visible_to_editor", [False, True])
async def test_a_source_document_the_caller_cannot_see_is_not_found(
    gql: GraphQLClient, world: World, given: Given, visible_to_editor: bool
) -> None:
    document = await given.document(
        "Admin's", owner="admin", visibility="ORGANIZATION" if visible_to_editor else "PRIVATE"
    )
    if visible_to_editor:
        await given.deleted(document)
    input = {"label": "N", "nodeType": "c", "sourceDocumentId": gid("Document", document.id)}

    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    assert only(result, "knowledgeNodeCreate")["__typename"] == "NotFound"
    assert await given.stored(KnowledgeNode) == 0 and await given.audit_count() == 0


async def test_a_viewer_may_not_create_nodes(gql: GraphQLClient, world: World) -> None:
    result = await gql(CREATE, {"input": {"label": "N", "nodeType": "c"}}, token=world.viewer.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient, given: Given) -> None:
    result = await gql(CREATE, {"input": {"label": "N", "nodeType": "c"}})

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
    assert await given.stored(KnowledgeNode) == 0
