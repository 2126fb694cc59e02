"""`knowledgeSubgraph`: the nodes around some roots, closest first, and the edges among them."""

from __future__ import annotations

from typing import Any

import pytest

from persistence.database import Database
from tests.fixtures.knowledge_graphs import Shapes
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only
from tests.graph.knowledge.conftest import Given
from tests.graph.knowledge.queries.shapes import bad_input, committed_shapes, ids_of

SUBGRAPH = """
query Subgraph($roots: [ID!]!, $depth: Int, $edgeTypes: [String!], $limit: Int) {
  knowledgeSubgraph(rootIds: $roots, depth: $depth, edgeTypes: $edgeTypes, limit: $limit) {
    truncated
    nodes { label }
    edges { type source { label } target { label } }
  }
}
"""


@pytest.fixture
async def shapes(database: Database, world: World) -> Shapes:
    return await committed_shapes(database, world.organization.id)


async def subgraph(
    gql: GraphQLClient, world: World, shapes: Shapes, roots: str, **arguments: Any
) -> tuple[str, list[str], bool]:
    """(node labels in order, edges as `S>T type` heaviest first, truncated)."""
    variables = {"roots": ids_of(shapes, *roots), **arguments}
    found = only(await gql(SUBGRAPH, variables, token=world.viewer.token), "knowledgeSubgraph")
    return (
        "".join(n["label"] for n in found["nodes"]),
        [f"{e['source']['label']}>{e['target']['label']} {e['type']}" for e in found["edges"]],
        found["truncated"],
    )


async def test_the_nodes_within_depth_and_every_edge_among_them(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await subgraph(gql, world, shapes, "S", depth=1) == (
        "SLR",
        ["S>L depends_on", "S>R depends_on"],
        False,
    )
    assert await subgraph(gql, world, shapes, "T") == (
        "TLRUS",
        [
            "S>L depends_on",
            "L>T depends_on",
            "T>U mentions",
            "R>T depends_on",
            "S>R depends_on",
        ],
        False,
    )
    assert await subgraph(gql, world, shapes, "YB", depth=1) == (
        "BYACX",
        [
            "X>Y depends_on",
            "A>B related_to",
            "B>C related_to",
            "C>A related_to",
            "X>Y mentions",
        ],
        False,
    )


async def test_the_limit_keeps_the_closest_and_says_so(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await subgraph(gql, world, shapes, "U", depth=4, limit=3) == (
        "UTL",
        ["L>T depends_on", "T>U mentions"],
        True,
    )
    assert await subgraph(gql, world, shapes, "U", depth=4, limit=5) == (
        "UTLRS",
        [
            "S>L depends_on",
            "L>T depends_on",
            "T>U mentions",
            "R>T depends_on",
            "S>R depends_on",
        ],
        False,
    )


async def test_edge_types_limit_the_walk_and_the_edges(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await subgraph(gql, world, shapes, "X", edgeTypes=["mentions"]) == (
        "XY",
        ["X>Y mentions"],
        False,
    )
    assert await subgraph(gql, world, shapes, "U", depth=4, edgeTypes=["depends_on"]) == (
        "U",
        [],
        False,
    )


async def test_deleted_nodes_are_left_out_and_not_walked_through(
    gql: GraphQLClient, world: World, shapes: Shapes, given: Given
) -> None:
    await given.deleted(shapes.nodes["T"])

    assert await subgraph(gql, world, shapes, "SU", depth=4) == (
        "SULR",
        ["S>L depends_on", "S>R depends_on"],
        False,
    )


@pytest.mark.parametrize(
    ("arguments", "field"),
    [({"depth": 0}, "depth"), ({"depth": 5}, "depth"), ({"limit": 1001}, "limit")],
)
async def test_out_of_range_arguments_are_bad_user_input(
    gql: GraphQLClient, world: World, shapes: Shapes, arguments: dict[str, Any], field: str
) -> None:
    variables = {"roots": ids_of(shapes, "S"), **arguments}

    result = await gql(SUBGRAPH, variables, token=world.viewer.token)

    assert bad_input(result) == field


async def test_anonymous_callers_must_log_in(gql: GraphQLClient, shapes: Shapes) -> None:
    result = await gql(SUBGRAPH, {"roots": ids_of(shapes, "S")})

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
