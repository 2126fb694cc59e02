from __future__ import annotations

import pytest

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only
from tests.graph.knowledge.conftest import Given, edge_id

UPDATE = """
mutation Update($input: KnowledgeEdgeUpdateInput!) {
  knowledgeEdgeUpdate(input: $input) {
    __typename
    ... on KnowledgeEdgeUpdateSuccess { edge { type weight properties version } }
    ... on ValidationError { message field }
    ... on NotFound { message }
    ... on VersionConflict { message currentVersion }
    ... on AlreadyExists { message field }
  }
}
"""

EDGE = "query Edge($id: ID!) { node(id: $id) { ... on KnowledgeEdge { type weight version } } }"


async def test_an_editor_reweights_and_retypes_an_edge_and_the_audit_shows_it(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b, "related_to", weight=0.5, properties={"k": 1})
    input = {"id": edge_id(edge), "expectedVersion": 1, "weight": 0.75, "type": "depends_on"}

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    assert only(result, "knowledgeEdgeUpdate") == {
        "__typename": "KnowledgeEdgeUpdateSuccess",
        "edge": {"type": "depends_on", "weight": 0.75, "properties": {"k": 1}, "version": 2},
    }
    (event,) = await audit_events(database, edge.id)
    assert event.action == "knowledgeEdgeUpdate" and event.actor_id == world.editor.user.id
    assert event.changes == {
        "edge_type": {"old": "related_to", "new": "depends_on"},
        "weight": {"old": 0.5, "new": 0.75},
    }


async def test_null_properties_empty_them(gql: GraphQLClient, world: World, given: Given) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b, properties={"k": 1})

    result = await gql(
        UPDATE,
        {"input": {"id": edge_id(edge), "expectedVersion": 1, "properties": None}},
        token=world.editor.token,
    )

    assert only(result, "knowledgeEdgeUpdate")["edge"]["properties"] == {}


async def test_a_stale_version_is_a_conflict_with_the_current_version_and_writes_nothing(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b, weight=0.5)
    await gql(
        UPDATE,
        {"input": {"id": edge_id(edge), "expectedVersion": 1, "weight": 0.6}},
        token=world.editor.token,
    )

    result = await gql(
        UPDATE,
        {"input": {"id": edge_id(edge), "expectedVersion": 1, "weight": 0.9}},
        token=world.editor.token,
    )

    payload = only(result, "knowledgeEdgeUpdate")
    assert payload["__typename"] == "VersionConflict" and payload["currentVersion"] == 2
    read = only(await gql(EDGE, {"id": edge_id(edge)}, token=world.viewer.token), "node")
    assert read == {"type": "related_to", "weight": 0.6, "version": 2}
    assert len(await audit_events(database, edge.id)) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weight": 2.0}, "weight"),
        ({"weight": None}, "weight"),
        ({"type": None}, "type"),
        ({"type": ""}, "type"),
        ({"properties": 3}, "properties"),
    ],
)
async def test_invalid_changes_are_validation_errors_and_write_nothing(
    gql: GraphQLClient, world: World, database: Database, given: Given, change: dict, field: str
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b, weight=0.5)

    result = await gql(
        UPDATE,
        {"input": {"id": edge_id(edge), "expectedVersion": 1, **change}},
        token=world.editor.token,
    )

    payload = only(result, "knowledgeEdgeUpdate")
    assert payload["__typename"] == "ValidationError" and payload["field"] == field
    read = only(await gql(EDGE, {"id": edge_id(edge)}, token=world.viewer.token), "node")
    assert read == {"type": "related_to", "weight": 0.5, "version": 1}
    assert await audit_events(database, edge.id) == []


async def test_retyping_onto_an_existing_edge_already_exists(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    await given.edge(a, b, "depends_on")
    edge = await given.edge(a, b, "related_to")

    result = await gql(
        UPDATE,
        {"input": {"id": edge_id(edge), "expectedVersion": 1, "type": "depends_on"}},
        token=world.editor.token,
    )

    payload = only(result, "knowledgeEdgeUpdate")
    assert payload["__typename"] == "AlreadyExists" and payload["field"] == "type"
    assert await given.audit_count() == 0


@pytest.mark.parametrize("gone", ["edge", "node"])
async def test_a_deleted_edge_or_an_edge_of_a_deleted_node_is_not_found(
    gql: GraphQLClient, world: World, given: Given, gone: str
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)
    await given.deleted(edge if gone == "edge" else b)

    result = await gql(
        UPDATE,
        {"input": {"id": edge_id(edge), "expectedVersion": 1, "weight": 0.1}},
        token=world.editor.token,
    )

    assert only(result, "knowledgeEdgeUpdate")["__typename"] == "NotFound"
    assert await given.audit_count() == 0


async def test_a_viewer_may_not_update_edges(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)

    result = await gql(
        UPDATE,
        {"input": {"id": edge_id(edge), "expectedVersion": 1, "weight": 0.1}},
        token=world.viewer.token,
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient, given: Given) -> None:
    a, b = await given.nodes("A", "B")
    edge = await given.edge(a, b)

    result = await gql(UPDATE, {"input": {"id": edge_id(edge), "expectedVersion": 1}})

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
