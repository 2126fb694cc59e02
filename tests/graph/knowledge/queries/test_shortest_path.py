"""`shortestPath`: fewest hops, the heaviest among equals, within the caller's live graph."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete

from persistence.database import Database
from persistence.user.models import Organization
from persistence.user.repository import OrganizationRepository
from tests.fixtures.knowledge_graphs import Shapes
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid, only
from tests.graph.knowledge.conftest import Given
from tests.graph.knowledge.queries.shapes import (
    bad_input,
    committed_shapes,
    edge_ids_of,
    ids_of,
)

PATH = """
query Path(
  $from: ID!, $to: ID!, $maxDepth: Int, $direction: TraversalDirection, $edgeTypes: [String!]
) {
  shortestPath(
    fromId: $from, toId: $to, maxDepth: $maxDepth, direction: $direction, edgeTypes: $edgeTypes
  ) {
    length totalWeight nodes { label } edges { id }
  }
}
"""


@pytest.fixture
async def shapes(database: Database, world: World) -> Shapes:
    return await committed_shapes(database, world.organization.id)


async def shortest(
    gql: GraphQLClient, world: World, shapes: Shapes, source: str, target: str, **arguments: Any
) -> dict[str, Any] | None:
    from_id, to_id = ids_of(shapes, source, target)
    result = await gql(PATH, {"from": from_id, "to": to_id, **arguments}, token=world.viewer.token)
    return only(result, "shortestPath")


def route(shapes: Shapes, labels: str, *edges: str, weight: float) -> dict[str, Any]:
    """The expected path through `labels` (one letter per node) by the named edges."""
    return {
        "length": len(edges),
        "totalWeight": pytest.approx(weight),
        "nodes": [{"label": label} for label in labels],
        "edges": [{"id": i} for i in edge_ids_of(shapes, *edges)],
    }


async def test_the_fewest_hops_then_the_heaviest_route(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await shortest(gql, world, shapes, "S", "T") == route(
        shapes, "SLT", "S>L", "L>T", weight=1.7
    )
    assert await shortest(gql, world, shapes, "S", "U") == route(
        shapes, "SLTU", "S>L", "L>T", "T>U", weight=2.2
    )
    assert await shortest(gql, world, shapes, "X", "Y") == route(
        shapes, "XY", "X>Y:depends_on", weight=0.8
    )


async def test_direction_decides_which_way_edges_go(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await shortest(gql, world, shapes, "A", "C") == route(
        shapes, "ABC", "A>B", "B>C", weight=1.0
    )
    assert await shortest(gql, world, shapes, "A", "C", direction="BOTH") == route(
        shapes, "AC", "C>A", weight=0.5
    )
    assert await shortest(gql, world, shapes, "U", "S") is None
    assert await shortest(gql, world, shapes, "U", "S", direction="IN") == route(
        shapes, "UTLS", "T>U", "L>T", "S>L", weight=2.2
    )


async def test_edge_types_and_max_depth(gql: GraphQLClient, world: World, shapes: Shapes) -> None:
    assert await shortest(gql, world, shapes, "S", "U", maxDepth=2) is None
    assert await shortest(gql, world, shapes, "S", "U", maxDepth=3) is not None
    assert await shortest(gql, world, shapes, "S", "U", edgeTypes=["depends_on"]) is None
    assert await shortest(gql, world, shapes, "X", "Y", edgeTypes=["mentions"]) == route(
        shapes, "XY", "X>Y:mentions", weight=0.3
    )


async def test_from_a_node_to_itself_and_between_parts(
    gql: GraphQLClient, world: World, shapes: Shapes
) -> None:
    assert await shortest(gql, world, shapes, "T", "T") == route(shapes, "T", weight=0.0)
    assert await shortest(gql, world, shapes, "A", "Y", direction="BOTH") is None


async def test_deleted_nodes_are_routed_around(
    gql: GraphQLClient, world: World, shapes: Shapes, given: Given
) -> None:
    await given.deleted(shapes.nodes["L"])

    assert await shortest(gql, world, shapes, "S", "T") == route(
        shapes, "SRT", "S>R", "R>T", weight=0.5
    )
    assert await shortest(gql, world, shapes, "L", "L") is None


@pytest.fixture
async def elsewhere(database: Database) -> AsyncIterator[Shapes]:
    """The same graph in another organization."""
    async with database.transaction() as session:
        org = await OrganizationRepository(session).create(
            slug=f"o-{uuid.uuid4().hex[:10]}", name="Elsewhere"
        )
    yield await committed_shapes(database, org.id)
    async with database.transaction() as session:
        await session.execute(delete(Organization).where(Organization.id == org.id))


async def test_nodes_of_other_organizations_are_out_of_reach(
    gql: GraphQLClient, world: World, shapes: Shapes, elsewhere: Shapes
) -> None:
    theirs = ids_of(elsewhere, "S", "T")
    variables = {"from": theirs[0], "to": theirs[1]}

    assert only(await gql(PATH, variables, token=world.admin.token), "shortestPath") is None
    variables = {"from": ids_of(shapes, "S")[0], "to": theirs[1], "direction": "BOTH"}
    assert only(await gql(PATH, variables, token=world.admin.token), "shortestPath") is None


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"maxDepth": 0}, "maxDepth"),
        ({"maxDepth": 7}, "maxDepth"),
        ({"from": gid("Document", uuid.uuid4())}, "fromId"),
        ({"to": gid("KnowledgeEdge", uuid.uuid4())}, "toId"),
    ],
)
async def test_bad_arguments_are_bad_user_input(
    gql: GraphQLClient, world: World, shapes: Shapes, arguments: dict[str, Any], field: str
) -> None:
    from_id, to_id = ids_of(shapes, "S", "T")

    result = await gql(PATH, {"from": from_id, "to": to_id, **arguments}, token=world.viewer.token)

    assert bad_input(result) == field


async def test_anonymous_callers_must_log_in(gql: GraphQLClient, shapes: Shapes) -> None:
    from_id, to_id = ids_of(shapes, "S", "T")

    result = await gql(PATH, {"from": from_id, "to": to_id})

    assert "data" not in result  # refused before it ran
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
