"""The traversal CTEs on small graphs with known answers (tests/fixtures/knowledge_graphs.py)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import ValidationError
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.knowledge.traversal import (
    Direction,
    KnowledgeTraversal,
    NeighborPage,
    NeighborQuery,
)
from persistence.scope import Scope
from persistence.user.repository import OrganizationRepository
from tests.fixtures.knowledge_graphs import Shapes, build_shapes
from tests.fixtures.statements import StatementCounter

OUT, IN, BOTH = Direction.OUT, Direction.IN, Direction.BOTH


@pytest.fixture
async def shapes(session: AsyncSession, scope: Scope) -> Shapes:
    return await build_shapes(session, scope)


@pytest.fixture
def traversal(session: AsyncSession, scope: Scope) -> KnowledgeTraversal:
    return KnowledgeTraversal(session, scope)


def listed(shapes: Shapes, page: NeighborPage) -> list[tuple[str, int, str]]:
    """(label, distance, via edge name) of each neighbor on the page, in order."""
    return [(n.node.label, n.distance, shapes.edge_names([n.via.id])[0]) for n in page.items]


async def around(
    traversal: KnowledgeTraversal, shapes: Shapes, label: str, **query: object
) -> list[tuple[str, int, str]]:
    start = shapes.nodes[label].id
    pages = await traversal.neighbors([start], NeighborQuery(**query))  # type: ignore[arg-type]
    assert pages[start].total_count == len(pages[start].items)
    return listed(shapes, pages[start])


# -- neighbors ------------------------------------------------------------------------------


async def test_neighbors_one_hop_in_each_direction(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await around(traversal, shapes, "A", direction=OUT) == [("B", 1, "A>B")]
    assert await around(traversal, shapes, "A", direction=IN) == [("C", 1, "C>A")]
    assert await around(traversal, shapes, "A", direction=BOTH) == [
        ("B", 1, "A>B"),
        ("C", 1, "C>A"),
    ]


async def test_a_cycle_never_leads_back_to_the_start(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    expected = [("B", 1, "A>B"), ("C", 2, "B>C")]

    assert await around(traversal, shapes, "A", direction=OUT, depth=2) == expected
    assert await around(traversal, shapes, "A", direction=OUT, depth=4) == expected
    assert await around(traversal, shapes, "A", direction=IN, depth=4) == [
        ("C", 1, "C>A"),
        ("B", 2, "B>C"),
    ]


async def test_the_fewest_hops_count_and_the_heaviest_route_gives_the_via_edge(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await around(traversal, shapes, "S", direction=OUT, depth=3) == [
        ("L", 1, "S>L"),
        ("R", 1, "S>R"),
        ("T", 2, "L>T"),
        ("U", 3, "T>U"),
    ]
    assert await around(traversal, shapes, "T", direction=IN, depth=4) == [
        ("L", 1, "L>T"),
        ("R", 1, "R>T"),
        ("S", 2, "S>L"),
    ]
    assert await around(traversal, shapes, "R", direction=BOTH, depth=2) == [
        ("S", 1, "S>R"),
        ("T", 1, "R>T"),
        ("L", 2, "S>L"),  # 0.2 + 0.9 ties 0.3 + 0.8: the older edge, S->L
        ("U", 2, "T>U"),
    ]


async def test_parallel_edges_reach_a_node_once_by_the_heaviest(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await around(traversal, shapes, "X", direction=OUT) == [("Y", 1, "X>Y:depends_on")]
    assert await around(traversal, shapes, "Y", direction=BOTH) == [("X", 1, "X>Y:depends_on")]
    assert await around(traversal, shapes, "X", edge_types=("mentions",)) == [
        ("Y", 1, "X>Y:mentions")
    ]


async def test_edge_types_limit_the_walk_and_node_types_only_the_list(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await around(traversal, shapes, "T", edge_types=("mentions",), depth=3) == [
        ("U", 1, "T>U")
    ]
    assert await around(traversal, shapes, "S", edge_types=("mentions",), depth=3) == []
    assert await around(traversal, shapes, "S", edge_types=(), depth=3) == []
    # U is reached through concepts, which are walked but not listed
    assert await around(traversal, shapes, "S", node_types=("person",), depth=3) == [
        ("U", 3, "T>U")
    ]
    assert await around(traversal, shapes, "A", node_types=("person", "concept"), depth=2) == [
        ("B", 1, "A>B"),
        ("C", 1, "C>A"),
    ]


async def test_pages_follow_distance_label_and_id_with_a_total(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    start = shapes.nodes["S"].id
    query = NeighborQuery(depth=3, direction=OUT, first=2)

    first = (await traversal.neighbors([start], query))[start]
    query = NeighborQuery(depth=3, direction=OUT, first=2, after=first.end_cursor)
    second = (await traversal.neighbors([start], query))[start]
    query = NeighborQuery(depth=3, direction=OUT, first=2, after=second.end_cursor)
    third = (await traversal.neighbors([start], query))[start]

    assert [n.node.label for n in first.items] == ["L", "R"]
    assert (first.has_next_page, first.has_previous_page, first.total_count) == (True, False, 4)
    assert [n.node.label for n in second.items] == ["T", "U"]
    assert (second.has_next_page, second.has_previous_page, second.total_count) == (
        False,
        True,
        4,
    )
    assert third.items == [] and third.total_count == 4


async def test_many_start_nodes_are_walked_in_one_statement(
    traversal: KnowledgeTraversal, shapes: Shapes, statements: StatementCounter
) -> None:
    starts = [shapes.nodes[label].id for label in ("A", "S", "X", "U")]
    statements.reset()

    pages = await traversal.neighbors(starts, NeighborQuery(direction=OUT, depth=2))

    assert statements.count == 1
    assert [listed(shapes, pages[s]) for s in starts] == [
        [("B", 1, "A>B"), ("C", 2, "B>C")],
        [("L", 1, "S>L"), ("R", 1, "S>R"), ("T", 2, "L>T")],
        [("Y", 1, "X>Y:depends_on")],
        [],
    ]
    assert [pages[s].total_count for s in starts] == [2, 3, 1, 0]


async def test_many_starts_in_one_statement_match_a_breadth_first_search_of_each(
    traversal: KnowledgeTraversal,
    nodes: KnowledgeNodeRepository,
    edges: KnowledgeEdgeRepository,
) -> None:
    """Each start's levels stay its own: nothing seen from one start leaks into another's."""
    size = 40
    made = await nodes.create_many(
        [{"label": f"N{i:02d}", "node_type": "concept"} for i in range(size)]
    )
    pairs = {(i, j) for i in range(size) for j in ((i * 7 + 3) % size, (i * i + 1) % size)}
    pairs = {(i, j) for i, j in pairs if i != j}
    await edges.create_many(
        [
            {"source_id": made[i].id, "target_id": made[j].id, "edge_type": "related_to"}
            for i, j in sorted(pairs)
        ]
    )
    around: dict[int, set[int]] = {i: set() for i in range(size)}
    for i, j in pairs:
        around[i].add(j)
        around[j].add(i)

    def expected(start: int) -> dict[int, int]:
        distance, frontier = {start: 0}, {start}
        for hops in range(1, 4):
            frontier = {j for i in frontier for j in around[i]} - set(distance)
            distance.update({j: hops for j in frontier})
        return {j: d for j, d in distance.items() if j != start}

    starts = list(range(0, size, 3))
    index = {n.id: i for i, n in enumerate(made)}
    pages = await traversal.neighbors(
        [made[i].id for i in starts], NeighborQuery(depth=3, first=100)
    )

    for i in starts:
        page = pages[made[i].id]
        assert {index[n.node.id]: n.distance for n in page.items} == expected(i)
        assert page.total_count == len(expected(i))


async def test_deleted_nodes_and_edges_are_neither_listed_nor_walked_through(
    traversal: KnowledgeTraversal,
    shapes: Shapes,
    nodes: KnowledgeNodeRepository,
    edges: KnowledgeEdgeRepository,
) -> None:
    await nodes.soft_delete(shapes.nodes["L"].id)

    assert await around(traversal, shapes, "S", direction=OUT, depth=3) == [
        ("R", 1, "S>R"),
        ("T", 2, "R>T"),
        ("U", 3, "T>U"),
    ]

    await edges.soft_delete(shapes.edges["R>T"].id)

    assert await around(traversal, shapes, "S", direction=OUT, depth=3) == [("R", 1, "S>R")]
    assert await around(traversal, shapes, "L", direction=BOTH) == []  # deleted start


async def test_other_organizations_are_out_of_reach(
    session: AsyncSession, shapes: Shapes, traversal: KnowledgeTraversal
) -> None:
    other = await OrganizationRepository(session).create(slug=f"o-{uuid.uuid4().hex[:8]}", name="O")
    theirs = await build_shapes(session, Scope.system(other.id))
    start = theirs.nodes["S"].id

    pages = await traversal.neighbors([start], NeighborQuery(depth=3))

    assert pages[start].items == [] and pages[start].total_count == 0
    assert await traversal.shortest_path(start, theirs.nodes["T"].id) is None
    assert (await traversal.subgraph([start])).nodes == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (NeighborQuery(depth=0), "depth"),
        (NeighborQuery(depth=5), "depth"),
        (NeighborQuery(first=101), "first"),
        (NeighborQuery(first=-1), "first"),
        (NeighborQuery(after="not a cursor"), "after"),
    ],
)
async def test_out_of_range_queries_are_refused(
    traversal: KnowledgeTraversal, query: NeighborQuery, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await traversal.neighbors([uuid.uuid4()], query)

    assert raised.value.field == field


# -- shortest path --------------------------------------------------------------------------


async def path(
    traversal: KnowledgeTraversal, shapes: Shapes, source: str, target: str, **options: object
) -> tuple[list[str], list[str], float] | None:
    found = await traversal.shortest_path(
        shapes.nodes[source].id,
        shapes.nodes[target].id,
        **options,  # type: ignore[arg-type]
    )
    if found is None:
        return None
    assert found.length == len(found.edge_ids) == len(found.node_ids) - 1
    return (
        shapes.labels(found.node_ids),
        shapes.edge_names(found.edge_ids),
        round(found.total_weight, 6),
    )


async def test_the_fewest_hops_win_then_the_heaviest_route(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await path(traversal, shapes, "S", "T") == (["S", "L", "T"], ["S>L", "L>T"], 1.7)
    assert await path(traversal, shapes, "S", "U") == (
        ["S", "L", "T", "U"],
        ["S>L", "L>T", "T>U"],
        2.2,
    )
    assert await path(traversal, shapes, "X", "Y") == (["X", "Y"], ["X>Y:depends_on"], 0.8)


async def test_directions_and_cycles(traversal: KnowledgeTraversal, shapes: Shapes) -> None:
    assert await path(traversal, shapes, "A", "C") == (["A", "B", "C"], ["A>B", "B>C"], 1.0)
    assert await path(traversal, shapes, "A", "C", direction=BOTH) == (["A", "C"], ["C>A"], 0.5)
    assert await path(traversal, shapes, "A", "C", direction=IN) == (["A", "C"], ["C>A"], 0.5)
    assert await path(traversal, shapes, "T", "S") is None
    assert await path(traversal, shapes, "T", "S", direction=IN) == (
        ["T", "L", "S"],
        ["L>T", "S>L"],
        1.7,
    )


async def test_edge_types_and_max_depth_bound_the_search(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await path(traversal, shapes, "S", "T", edge_types=["mentions"]) is None
    assert await path(traversal, shapes, "X", "Y", edge_types=["mentions"]) == (
        ["X", "Y"],
        ["X>Y:mentions"],
        0.3,
    )
    assert await path(traversal, shapes, "S", "U", max_depth=2) is None
    assert await path(traversal, shapes, "S", "U", max_depth=3) is not None


async def test_a_node_reaches_itself_in_zero_hops_and_disconnected_parts_never(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await path(traversal, shapes, "S", "S") == (["S"], [], 0.0)
    assert await path(traversal, shapes, "A", "X", direction=BOTH) is None
    assert await traversal.shortest_path(shapes.nodes["A"].id, uuid.uuid4()) is None


async def test_a_deleted_node_is_routed_around(
    traversal: KnowledgeTraversal, shapes: Shapes, nodes: KnowledgeNodeRepository
) -> None:
    await nodes.soft_delete(shapes.nodes["L"].id)

    assert await path(traversal, shapes, "S", "T") == (["S", "R", "T"], ["S>R", "R>T"], 0.5)
    assert await path(traversal, shapes, "L", "L") is None
    assert await path(traversal, shapes, "S", "L") is None


@pytest.mark.parametrize("max_depth", [0, 7])
async def test_max_depth_is_between_1_and_6(
    traversal: KnowledgeTraversal, shapes: Shapes, max_depth: int
) -> None:
    with pytest.raises(ValidationError) as raised:
        await path(traversal, shapes, "S", "T", max_depth=max_depth)

    assert raised.value.field == "max_depth"


# -- subgraph -------------------------------------------------------------------------------


async def sub(
    traversal: KnowledgeTraversal, shapes: Shapes, roots: list[str], **options: object
) -> tuple[list[str], list[str], bool]:
    found = await traversal.subgraph(
        [shapes.nodes[r].id for r in roots],
        **options,  # type: ignore[arg-type]
    )
    return (
        [n.label for n in found.nodes],
        shapes.edge_names([e.id for e in found.edges]),
        found.truncated,
    )


async def test_a_subgraph_holds_the_nodes_within_reach_and_the_edges_among_them(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await sub(traversal, shapes, ["S"], depth=1) == (
        ["S", "L", "R"],
        ["S>L", "S>R"],
        False,
    )
    assert await sub(traversal, shapes, ["U"], depth=4) == (
        ["U", "T", "L", "R", "S"],
        ["S>L", "L>T", "T>U", "R>T", "S>R"],  # heaviest first
        False,
    )
    assert await sub(traversal, shapes, ["X", "A"], depth=1) == (
        ["A", "X", "B", "C", "Y"],
        ["X>Y:depends_on", "A>B", "B>C", "C>A", "X>Y:mentions"],
        False,
    )


async def test_a_subgraph_is_cut_at_the_limit_closest_first(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await sub(traversal, shapes, ["S"], depth=2, limit=3) == (
        ["S", "L", "R"],
        ["S>L", "S>R"],
        True,
    )
    assert await sub(traversal, shapes, ["S"], depth=2, limit=4) == (
        ["S", "L", "R", "T"],
        ["S>L", "L>T", "R>T", "S>R"],
        False,
    )
    assert await sub(traversal, shapes, ["S"], limit=0) == ([], [], True)


async def test_a_subgraph_follows_only_the_edge_types_asked(
    traversal: KnowledgeTraversal, shapes: Shapes
) -> None:
    assert await sub(traversal, shapes, ["T"], depth=3, edge_types=["mentions"]) == (
        ["T", "U"],
        ["T>U"],
        False,
    )
    assert await sub(traversal, shapes, ["X"], edge_types=["mentions"]) == (
        ["X", "Y"],
        ["X>Y:mentions"],
        False,
    )


@pytest.mark.parametrize(
    ("options", "field"),
    [({"depth": 0}, "depth"), ({"depth": 5}, "depth"), ({"limit": 1001}, "limit")],
)
async def test_subgraph_bounds(
    traversal: KnowledgeTraversal, shapes: Shapes, options: dict[str, int], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await sub(traversal, shapes, ["S"], **options)

    assert raised.value.field == field
