"""`similarNodes`: the nodes nearest to a node or a vector, by cosine distance."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import delete

from persistence.database import Database
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.knowledge.repository import KnowledgeNodeRepository
from persistence.scope import Scope
from persistence.user.models import Organization
from persistence.user.repository import OrganizationRepository
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid, only
from tests.graph.knowledge.conftest import Given, node_id

SIMILAR = """
query Similar($to: ID, $vector: [Float!], $first: Int, $types: [String!]) {
  similarNodes(to: $to, vector: $vector, first: $first, nodeTypes: $types) {
    node { label nodeType }
    distance
    similarity
  }
}
"""


def at(degrees: float) -> list[float]:
    """A unit vector `degrees` away from the first axis: cosine distance 1 - cos(degrees)."""
    radians = math.radians(degrees)
    return [math.cos(radians), math.sin(radians)] + [0.0] * (EMBEDDING_DIMENSIONS - 2)


def listed(result: dict) -> list[tuple[str, float, float]]:
    return [
        (s["node"]["label"], round(s["distance"], 4), round(s["similarity"], 4))
        for s in only(result, "similarNodes")
    ]


def codes(result: dict) -> list[tuple[str, str]]:
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in result["errors"]]


async def test_the_nearest_nodes_to_a_vector_come_first_with_distance_and_similarity(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    for degrees in (90, 0, 60, 180):
        await given.node(f"{degrees}°", embedding=at(degrees))
    await given.node("no embedding")

    result = await gql(SIMILAR, {"vector": at(0), "first": 3}, token=world.viewer.token)

    assert listed(result) == [("0°", 0.0, 1.0), ("60°", 0.5, 0.5), ("90°", 1.0, 0.0)]


async def test_similar_to_a_node_leaves_it_out_and_keeps_to_the_types_asked(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    origin = await given.node("origin", embedding=at(40))
    await given.node("Ada", node_type="person", embedding=at(45))
    await given.node("Graphs", embedding=at(50))
    await given.node("Grace", node_type="person", embedding=at(100))

    every = await gql(SIMILAR, {"to": node_id(origin)}, token=world.viewer.token)
    people = await gql(
        SIMILAR, {"to": node_id(origin), "types": ["person"]}, token=world.viewer.token
    )

    assert [label for label, *_ in listed(every)] == ["Ada", "Graphs", "Grace"]
    assert [s["node"] for s in only(people, "similarNodes")] == [
        {"label": "Ada", "nodeType": "person"},
        {"label": "Grace", "nodeType": "person"},
    ]


async def test_deleted_nodes_are_neither_found_nor_searched_from(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    gone = await given.node("gone", embedding=at(0))
    await given.node("here", embedding=at(30))
    await given.deleted(gone)

    from_vector = await gql(SIMILAR, {"vector": at(0)}, token=world.viewer.token)
    from_gone = await gql(SIMILAR, {"to": node_id(gone)}, token=world.viewer.token)

    assert [label for label, *_ in listed(from_vector)] == ["here"]
    assert only(from_gone, "similarNodes") == []


async def test_a_node_without_an_embedding_has_no_similar_nodes(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    bare = await given.node("bare")
    await given.node("vector", embedding=at(0))

    result = await gql(SIMILAR, {"to": node_id(bare)}, token=world.viewer.token)

    assert only(result, "similarNodes") == []


async def test_other_organizations_nodes_are_never_found(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    await given.node("ours", embedding=at(30))
    async with database.transaction() as session:
        other = await OrganizationRepository(session).create(slug="similar-other", name="Other")
        await KnowledgeNodeRepository(session, Scope.system(other.id)).create(
            label="theirs", node_type="concept", embedding=at(0)
        )
    try:
        result = await gql(SIMILAR, {"vector": at(0)}, token=world.viewer.token)
    finally:
        async with database.transaction() as session:
            await session.execute(delete(Organization).where(Organization.id == other.id))

    assert [label for label, *_ in listed(result)] == ["ours"]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({}, "to"),
        ({"to": "KNOWN", "vector": at(0)}, "to"),
        ({"to": gid("Document", "0" * 32)}, "to"),
        ({"vector": [1.0, 2.0]}, "vector"),
        ({"vector": [1e39] * EMBEDDING_DIMENSIONS}, "vector"),
        ({"vector": [0.0] * EMBEDDING_DIMENSIONS}, "vector"),
        ({"vector": at(0), "first": 0}, "first"),
        ({"vector": at(0), "first": 101}, "first"),
        ({"to": "KNOWN", "first": 101}, "first"),
    ],
)
async def test_bad_arguments_are_bad_user_input(
    gql: GraphQLClient, world: World, given: Given, variables: dict, field: str
) -> None:
    known = await given.node("known", embedding=at(0))
    if variables.get("to") == "KNOWN":
        variables = variables | {"to": node_id(known)}

    result = await gql(SIMILAR, variables, token=world.viewer.token)

    assert result["data"] is None
    assert codes(result) == [("BAD_USER_INPUT", field)]


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient) -> None:
    result = await gql(SIMILAR, {"vector": at(0)})

    assert "data" not in result
    assert codes(result) == [("UNAUTHENTICATED", None)]
