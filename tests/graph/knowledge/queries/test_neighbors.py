"""`KnowledgeNode.neighbors`: exact neighbor sets, filters, pages, and one CTE per list."""

from __future__ import annotations

from typing import Any

import pytest

from persistence.database import Database
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from tests.fixtures.knowledge_graphs import Shapes
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only
from tests.graph.knowledge.conftest import Given, node_id
from tests.graph.knowledge.queries.shapes import bad_input, committed_shapes, edge_ids_of

NEIGHBORS = """
query Neighbors(
  $id: ID!, $depth: Int, $direction: TraversalDirection, $edgeTypes: [String!],
  $nodeTypes: [String!], $first: Int, $after: String
) {
  node(id: $id) {
    ... on KnowledgeNode {
      neighbors(
        depth: $depth, direction: $direction, edgeTypes: $edgeTypes, nodeTypes: $nodeTypes,
        first: $first, after: $after
      ) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        edges { cursor node { distance node { label } via { id } } }
      }
    }
  }
}
"""


@pytest.fixture
async def shapes(database: Database, world: World) -> Shapes:
    return await committed_shapes(database, world.organization.id)


async def neighbors(
    gql: GraphQLClient, world: World, shapes: Shapes, label: str, **arguments: Any
) -> dict[str, Any]:
    variables = {"id": node_id(shapes.nodes[label]), **arguments}
    result = await gql(NEIGHBORS, variables, token=world.viewer.token)
    return only(result, "node")["neighbors"]


async def listed(
    gql: GraphQLClient, world: World, shapes: Shapes, label: str, **arguments: Any
) -> list[tuple[str, int, str]]:
    """(label, distance, via edge name) of each neighbor, in order; the whole list."""
    connection = await neighbors(gql, world, shapes, label, **arguments)
    assert connection["totalCount"] == len(connection["edges"])
    names = {edge_ids_of(shapes, name)[0]: name for name in shapes.edges}
    return [
        (e["node"]["node"]["label"], e["node"]["distance"], names[e["node"]["via"]["id"]])
        for e in connection["edges"]
    ]


async def test_one_hop_in_each_direction(gql: GraphQLClient, world: World, shapes: Shapes) -> None:
    assert await listed(gql, world, shapes, "A", direction="OUT") == [("B", 1, "A>B")]
    assert await listed(gql, world, shapes, "A", direction="IN") == [("C", 1, "C>A")]
    assert await listed(gql, world, shapes, "A") == [("B", 1, "A>B"), ("C", 1, "C>A")]


async def test_a_cycle_never_lists_the_start(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await listed(gql, world, shapes, "A", direction="OUT", depth=4) == [
        ("B", 1, "A>B"),
        ("C", 2, "B>C"),
    ]
    assert await listed(gql, world, shapes, "B", direction="IN", depth=3) == [
        ("A", 1, "A>B"),
        ("C", 2, "C>A"),
    ]
    assert await listed(gql, world, shapes, "C", depth=4) == [("A", 1, "C>A"), ("B", 1, "B>C")]


async def test_distances_are_the_fewest_hops_via_the_heaviest_route(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await listed(gql, world, shapes, "S", direction="OUT", depth=3) == [
        ("L", 1, "S>L"),
        ("R", 1, "S>R"),
        ("T", 2, "L>T"),
        ("U", 3, "T>U"),
    ]
    assert await listed(gql, world, shapes, "U", direction="IN", depth=4) == [
        ("T", 1, "T>U"),
        ("L", 2, "L>T"),
        ("R", 2, "R>T"),
        ("S", 3, "S>L"),
    ]
    assert await listed(gql, world, shapes, "T", depth=2) == [
        ("L", 1, "L>T"),
        ("R", 1, "R>T"),
        ("U", 1, "T>U"),
        ("S", 2, "S>L"),
    ]


async def test_parallel_edges_give_one_neighbor(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await listed(gql, world, shapes, "X") == [("Y", 1, "X>Y:depends_on")]
    assert await listed(gql, world, shapes, "Y", direction="IN") == [("X", 1, "X>Y:depends_on")]
    assert await listed(gql, world, shapes, "Y", edgeTypes=["mentions"]) == [
        ("X", 1, "X>Y:mentions")
    ]
    assert await listed(gql, world, shapes, "Y", direction="OUT") == []


async def test_edge_types_bound_the_walk_and_node_types_the_list(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await listed(gql, world, shapes, "S", depth=4, edgeTypes=["depends_on"]) == [
        ("L", 1, "S>L"),
        ("R", 1, "S>R"),
        ("T", 2, "L>T"),
    ]
    assert await listed(gql, world, shapes, "U", depth=4, edgeTypes=["depends_on"]) == []
    assert await listed(gql, world, shapes, "S", depth=3, nodeTypes=["person"]) == [("U", 3, "T>U")]
    assert await listed(gql, world, shapes, "C", depth=2, nodeTypes=["person"]) == [("B", 1, "B>C")]


async def test_pages_with_after_and_a_total(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    first = await neighbors(gql, world, shapes, "S", depth=3, direction="OUT", first=3)
    cursor = first["pageInfo"]["endCursor"]
    second = await neighbors(gql, world, shapes, "S", depth=3, direction="OUT", after=cursor)

    assert [e["node"]["node"]["label"] for e in first["edges"]] == ["L", "R", "T"]
    assert first["pageInfo"] | {"endCursor": None} == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "endCursor": None,
    }
    assert first["edges"][-1]["cursor"] == cursor
    assert [e["node"]["node"]["label"] for e in second["edges"]] == ["U"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert second["pageInfo"]["hasPreviousPage"] is True
    assert first["totalCount"] == second["totalCount"] == 4


async def test_deleted_nodes_and_edges_are_out_of_reach(
    gql: GraphQLClient, world: World, shapes: Shapes, given: Given
) -> None:
    await given.deleted(shapes.nodes["L"])
    await given.deleted(shapes.edges["T>U"])

    assert await listed(gql, world, shapes, "S", direction="OUT", depth=4) == [
        ("R", 1, "S>R"),
        ("T", 2, "R>T"),
    ]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"depth": 0}, "depth"),
        ({"depth": 5}, "depth"),
        ({"first": 101}, "first"),
        ({"first": -1}, "first"),
        ({"after": "bogus"}, "after"),
    ],
)
async def test_out_of_range_arguments_are_bad_user_input(
    gql: GraphQLClient, world: World, shapes: Shapes, arguments: dict[str, Any], field: str
) -> None:
    variables = {"id": node_id(shapes.nodes["S"]), **arguments}

    result = await gql(NEIGHBORS, variables, token=world.viewer.token)

    assert bad_input(result) == field


LIST = """
query ($first: Int, $depth: Int) {
  knowledgeNodes(first: $first, orderBy: {field: LABEL}) {
    edges { node {
      label
      out: neighbors(depth: $depth, direction: OUT) {
        totalCount edges { node { distance node { label } via { type } } }
      }
      into: neighbors(direction: IN) { edges { node { node { label } } } }
    } }
  }
}
"""


async def test_every_node_of_a_list_gets_its_own_neighbors(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    result = await gql(LIST, {"depth": 2}, token=world.viewer.token)

    found = {
        e["node"]["label"]: (
            [
                (n["node"]["node"]["label"], n["node"]["distance"])
                for n in e["node"]["out"]["edges"]
            ],
            [n["node"]["node"]["label"] for n in e["node"]["into"]["edges"]],
        )
        for e in only(result, "knowledgeNodes")["edges"]
    }
    assert found == {
        "A": ([("B", 1), ("C", 2)], ["C"]),
        "B": ([("C", 1), ("A", 2)], ["A"]),
        "C": ([("A", 1), ("B", 2)], ["B"]),
        "L": ([("T", 1), ("U", 2)], ["S"]),
        "R": ([("T", 1), ("U", 2)], ["S"]),
        "S": ([("L", 1), ("R", 1), ("T", 2)], []),
        "T": ([("U", 1)], ["L", "R"]),
        "U": ([], ["T"]),
        "X": ([("Y", 1)], []),
        "Y": ([], ["X"]),
    }


BATCHED = """
query ($first: Int) {
  knowledgeNodes(first: $first) {
    edges { node {
      neighbors(depth: 2) { edges { node { distance node { label } via { type } } } }
    } }
  }
}
"""


async def test_neighbors_of_a_whole_list_cost_the_same_statements_as_of_one(
    gql: GraphQLClient, world: World, database: Database, statements: StatementCounter
) -> None:
    scope = Scope.system(world.organization.id)
    async with database.transaction(world.organization.id) as session:
        ring = await KnowledgeNodeRepository(session, scope).create_many(
            [{"label": f"N{i:02d}", "node_type": "concept"} for i in range(60)]
        )
        await KnowledgeEdgeRepository(session, scope).create_many(
            [
                {"source_id": ring[i].id, "target_id": ring[(i + step) % 60].id, "edge_type": t}
                for i in range(60)
                for step, t in ((1, "next"), (7, "jump"))
            ]
        )

    await gql(BATCHED, {"first": 1}, token=world.viewer.token)  # the steady state: known caller
    statements.reset()
    small = await gql(BATCHED, {"first": 1}, token=world.viewer.token)
    small_count = statements.count
    statements.reset()
    large = await gql(BATCHED, {"first": 50}, token=world.viewer.token)
    large_count = statements.count
    walks = [s for s in statements.statements if "WITH RECURSIVE" in s]

    assert len(only(small, "knowledgeNodes")["edges"]) == 1
    rows = only(large, "knowledgeNodes")["edges"]
    assert len(rows) == 50
    # every node of the ring has 4 neighbors at one hop (±1, ±7) and 8 at two (±2, ±6, ±8, ±14)
    assert all(len(r["node"]["neighbors"]["edges"]) == 12 for r in rows)
    assert small_count == large_count
    assert len(walks) == 1
