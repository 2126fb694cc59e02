from __future__ import annotations

import uuid

import pytest

from persistence.database import Database
from persistence.knowledge.models import KnowledgeEdge
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only, row_id
from tests.graph.knowledge.conftest import Given, node_id

CREATE = """
mutation Create($input: KnowledgeEdgeCreateInput!) {
  knowledgeEdgeCreate(input: $input) {
    __typename
    ... on KnowledgeEdgeCreateSuccess {
      edge { id type weight properties version source { label } target { label } }
    }
    ... on ValidationError { message field }
    ... on NotFound { message id }
    ... on AlreadyExists { message field }
  }
}
"""


async def test_an_editor_joins_two_nodes_and_the_edge_is_audited(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    input = {
        "sourceId": node_id(a),
        "targetId": node_id(b),
        "type": "depends_on",
        "weight": 0.25,
        "properties": {"since": 2024},
    }

    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    payload = only(result, "knowledgeEdgeCreate")
    edge = payload["edge"]
    assert payload["__typename"] == "KnowledgeEdgeCreateSuccess"
    assert edge | {"id": None} == {
        "id": None,
        "type": "depends_on",
        "weight": 0.25,
        "properties": {"since": 2024},
        "version": 1,
        "source": {"label": "A"},
        "target": {"label": "B"},
    }
    (event,) = await audit_events(database, row_id(edge["id"]))
    assert event.action == "knowledgeEdgeCreate" and event.entity_type == "KnowledgeEdge"
    assert event.actor_id == world.editor.user.id
    assert event.changes == {
        "source_id": {"old": None, "new": str(a.id)},
        "target_id": {"old": None, "new": str(b.id)},
        "edge_type": {"old": None, "new": "depends_on"},
        "weight": {"old": None, "new": 0.25},
        "properties": {"old": None, "new": {"since": 2024}},
    }


async def test_the_weight_defaults_to_one(gql: GraphQLClient, world: World, given: Given) -> None:
    a, b = await given.nodes("A", "B")
    input = {"sourceId": node_id(a), "targetId": node_id(b), "type": "related_to"}

    result = await gql(CREATE, {"input": input}, token=world.admin.token)

    edge = only(result, "knowledgeEdgeCreate")["edge"]
    assert edge["weight"] == 1.0 and edge["properties"] == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight": 1.5}, "weight"),
        ({"weight": -0.1}, "weight"),
        ({"type": "  "}, "type"),
        ({"properties": ["x"]}, "properties"),
        ({"targetId": "source"}, "sourceId"),  # a self-loop
        ({"sourceId": "VXNlcjox"}, "sourceId"),
    ],
)
async def test_invalid_edges_are_validation_errors_and_write_nothing(
    gql: GraphQLClient, world: World, given: Given, change: dict, field: str
) -> None:
    a, b = await given.nodes("A", "B")
    input = {"sourceId": node_id(a), "targetId": node_id(b), "type": "related_to", **change}
    if input["targetId"] == "source":
        input["targetId"] = input["sourceId"]

    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    payload = only(result, "knowledgeEdgeCreate")
    assert payload["__typename"] == "ValidationError" and payload["field"] == field
    assert await given.stored(KnowledgeEdge) == 0 and await given.audit_count() == 0


async def test_an_infinite_weight_literal_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    literal = f"""mutation {{
      knowledgeEdgeCreate(input: {{
        sourceId: "{node_id(a)}", targetId: "{node_id(b)}", type: "t", weight: 1e309
      }}) {{ __typename ... on ValidationError {{ field }} }}
    }}"""

    result = await gql(literal, token=world.editor.token)

    assert only(result, "knowledgeEdgeCreate") == {
        "__typename": "ValidationError",
        "field": "weight",
    }
    assert await given.stored(KnowledgeEdge) == 0


async def test_a_second_edge_of_the_same_type_between_the_same_nodes_already_exists(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    await given.edge(a, b, "depends_on")
    input = {"sourceId": node_id(a), "targetId": node_id(b), "type": "depends_on"}

    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    assert only(result, "knowledgeEdgeCreate") == {
        "__typename": "AlreadyExists",
        "message": "an edge of this type already joins these nodes",
        "field": "type",
    }
    assert await given.stored(KnowledgeEdge) == 1 and await given.audit_count() == 0


async def test_other_types_and_the_reverse_direction_are_separate_edges(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    await given.edge(a, b, "depends_on")

    other_type = await gql(
        CREATE,
        {"input": {"sourceId": node_id(a), "targetId": node_id(b), "type": "mentions"}},
        token=world.editor.token,
    )
    reverse = await gql(
        CREATE,
        {"input": {"sourceId": node_id(b), "targetId": node_id(a), "type": "depends_on"}},
        token=world.editor.token,
    )

    assert only(other_type, "knowledgeEdgeCreate")["__typename"] == "KnowledgeEdgeCreateSuccess"
    assert only(reverse, "knowledgeEdgeCreate")["__typename"] == "KnowledgeEdgeCreateSuccess"


@pytest.mark.parametrize("end", ["sourceId", "targetId"])
async def test_a_deleted_or_unknown_node_is_not_found(
    gql: GraphQLClient, world: World, given: Given, end: str
) -> None:
    a, b, deleted = await given.nodes("A", "B", "Deleted")
    await given.deleted(deleted)
    unknown = gid("KnowledgeNode", uuid.uuid4())

    results = [
        await gql(
            CREATE,
            {"input": {"sourceId": node_id(a), "targetId": node_id(b), "type": "t", end: bad}},
            token=world.editor.token,
        )
        for bad in (node_id(deleted), unknown)
    ]

    payloads = [only(result, "knowledgeEdgeCreate") for result in results]
    assert [p["__typename"] for p in payloads] == ["NotFound", "NotFound"]
    assert [p["id"] for p in payloads] == [node_id(deleted), unknown]
    assert payloads[0]["message"].startswith("source node" if end == "sourceId" else "target node")
    assert await given.stored(KnowledgeEdge) == 0 and await given.audit_count() == 0


async def test_a_viewer_may_not_create_edges(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    input = {"sourceId": node_id(a), "targetId": node_id(b), "type": "t"}

    result = await gql(CREATE, {"input": input}, token=world.viewer.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.stored(KnowledgeEdge) == 0


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient, given: Given) -> None:
    a, b = await given.nodes("A", "B")

    result = await gql(
        CREATE, {"input": {"sourceId": node_id(a), "targetId": node_id(b), "type": "t"}}
    )

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
