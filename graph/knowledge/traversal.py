"""Walking the knowledge graph: `KnowledgeNode.neighbors`, `shortestPath` and
`knowledgeSubgraph`, each answered by one recursive CTE in PostgreSQL.

A walk never leaves the caller's organization and never reaches a soft-deleted node or
edge, nor passes through one (see `persistence/knowledge/traversal.py`).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry
from strawberry import relay

from graph.core.arguments import After
from graph.core.cost import weigh
from graph.core.ids import query_row_id
from graph.core.pagination import Connection, bad_input, build
from graph.core.permissions import IsAuthenticated
from graph.knowledge.loaders import KnowledgeEdgeByIdLoader, KnowledgeNodeByIdLoader
from graph.knowledge.traversal_loaders import NeighborsByNodeLoader
from persistence import errors as domain
from persistence.knowledge import traversal
from persistence.knowledge.traversal import Direction, KnowledgeTraversal, NeighborQuery

if TYPE_CHECKING:
    from graph.knowledge.types import KnowledgeEdge, KnowledgeNode

TYPES = "graph.knowledge.types"
T = TypeVar("T")

TraversalDirection = strawberry.enum(
    Direction,
    name="TraversalDirection",
    description="Which way edges are followed: OUT from source to target, IN back, or BOTH.",
)

DEFAULTS = NeighborQuery()

NEIGHBORS = "khub.neighbors"
DEPTH_FACTORS = {1: 1, 2: 2, 3: 4, 4: 8}
"""What a neighbor costs per depth of the walk (graph/core/cost.py): each level can widen it."""
PATH = "khub.path"
SUBGRAPH = "khub.subgraph"
"""Metadata keys of `shortestPath` and `knowledgeSubgraph`: the compiled read path embeds
the same walks (`persistence.knowledge.traversal.path_sql`, `subgraph_sql`)."""

EdgeTypes = Annotated[
    list[str] | None,
    strawberry.argument(description="Walk only edges of these types (default: every type)."),
]


@strawberry.type(description="A node within reach of another: how many hops away, and how.")
class Neighbor:
    node: Annotated[KnowledgeNode, strawberry.lazy(TYPES)] = strawberry.field(
        description="The node reached."
    )
    distance: int = strawberry.field(description="The fewest hops to it, from 1.")
    via: Annotated[KnowledgeEdge, strawberry.lazy(TYPES)] = strawberry.field(
        description="The edge it is reached by: the last hop of the heaviest shortest route."
    )


async def resolve_neighbors(
    root: Any,
    info: strawberry.Info,
    depth: Annotated[
        int | None, strawberry.argument(description="How many hops away at most, from 1 to 4.")
    ] = DEFAULTS.depth,
    direction: Annotated[
        TraversalDirection | None,
        strawberry.argument(description="Which way edges are followed."),
    ] = DEFAULTS.direction,
    edge_types: EdgeTypes = None,
    node_types: Annotated[
        list[str] | None,
        strawberry.argument(
            description="List only nodes of these types; the walk still passes through others."
        ),
    ] = None,
    first: Annotated[
        int | None, strawberry.argument(description="How many neighbors to return (max 100).")
    ] = DEFAULTS.first,
    after: After = None,
) -> Connection[Neighbor]:
    query = NeighborQuery(  # an explicit null means the default
        depth=_or(depth, DEFAULTS.depth),
        direction=_or(direction, DEFAULTS.direction),
        edge_types=None if edge_types is None else tuple(edge_types),
        node_types=None if node_types is None else tuple(node_types),
        first=_or(first, DEFAULTS.first),
        after=after,
    )
    try:
        query.validate()
    except domain.ValidationError as error:
        raise bad_input(error) from error
    page = await info.context.loaders.get(NeighborsByNodeLoader).load((root.id, query))

    async def count() -> int:
        return page.total_count

    return build(page, count)


def neighbors_field() -> Any:
    """`KnowledgeNode.neighbors`, batched across every node of a response."""
    return strawberry.field(
        resolver=resolve_neighbors,
        description=(
            "Nodes within `depth` hops, nearest first (then by label); never the node itself."
            " Batched: a whole list of nodes costs one query."
        ),
        metadata={
            NEIGHBORS: True,
            **weigh(
                default_size=DEFAULTS.first,
                factor_argument="depth",
                factors=DEPTH_FACTORS,
                factor_default=DEFAULTS.depth,
            ),
        },
    )


async def _path_nodes(root: traversal.Path, info: strawberry.Info) -> list[Any]:
    return await info.context.loaders.get(KnowledgeNodeByIdLoader).load_many(root.node_ids)


async def _path_edges(root: traversal.Path, info: strawberry.Info) -> list[Any]:
    return await info.context.loaders.get(KnowledgeEdgeByIdLoader).load_many(root.edge_ids)


@strawberry.type(description="A route through the graph: its nodes in order and the edges taken.")
class KnowledgePath:
    nodes: list[Annotated[KnowledgeNode, strawberry.lazy(TYPES)]] = strawberry.field(
        resolver=_path_nodes, description="The nodes from the start to the end, in order."
    )
    edges: list[Annotated[KnowledgeEdge, strawberry.lazy(TYPES)]] = strawberry.field(
        resolver=_path_edges, description="The edges between consecutive nodes, in order."
    )
    length: int = strawberry.field(description="How many edges it takes; 0 from a node to itself.")
    total_weight: float = strawberry.field(description="The sum of its edges' weights.")


@strawberry.type(
    description="The nodes around some roots, closest first, and the edges among them."
)
class KnowledgeSubgraph:
    nodes: list[Annotated[KnowledgeNode, strawberry.lazy(TYPES)]] = strawberry.field(
        description="The roots and the nodes within reach, nearest first (then by label).",
        metadata=weigh(size=1),  # counted by knowledgeSubgraph's `limit`
    )
    edges: list[Annotated[KnowledgeEdge, strawberry.lazy(TYPES)]] = strawberry.field(
        description="Every live edge (of the types asked) between two of the nodes.",
        metadata=weigh(size=1),  # counted by knowledgeSubgraph's `limit`
    )
    truncated: bool = strawberry.field(
        description="More nodes lie within reach than `limit` allowed."
    )


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


def _node_id(global_id: relay.GlobalID, field: str) -> uuid.UUID:
    """The row id of a required KnowledgeNode id argument, else BAD_USER_INPUT on `field`."""
    found = query_row_id(global_id, "KnowledgeNode", field=field)
    assert found is not None  # only a missing id gives None, and these are required
    return found


@strawberry.type
class TraversalQueries:
    @strawberry.field(
        description=(
            "The route with the fewest hops between two nodes, the heaviest among equally"
            " short ones; null when there is none within `maxDepth`."
        ),
        permission_classes=[IsAuthenticated],
        metadata={PATH: True},
    )
    async def shortest_path(
        self,
        info: strawberry.Info,
        from_id: Annotated[
            relay.GlobalID, strawberry.argument(description="The KnowledgeNode to start from.")
        ],
        to_id: Annotated[
            relay.GlobalID, strawberry.argument(description="The KnowledgeNode to reach.")
        ],
        max_depth: Annotated[
            int | None, strawberry.argument(description="The most hops to try, from 1 to 6.")
        ] = traversal.MAX_PATH_DEPTH,
        direction: Annotated[
            TraversalDirection | None,
            strawberry.argument(description="Which way edges are followed."),
        ] = Direction.OUT,
        edge_types: EdgeTypes = None,
    ) -> KnowledgePath | None:
        source = _node_id(from_id, "fromId")
        target = _node_id(to_id, "toId")
        try:
            async with info.context.operation.session() as session:
                return await KnowledgeTraversal(session, info.context.viewer.scope()).shortest_path(
                    source,
                    target,
                    max_depth=_or(max_depth, traversal.MAX_PATH_DEPTH),
                    direction=_or(direction, Direction.OUT),
                    edge_types=edge_types,
                )
        except domain.ValidationError as error:
            raise bad_input(error) from error

    @strawberry.field(
        description=(
            "The nodes within `depth` hops of the roots (either way along edges), closest"
            " first, and the edges among them."
        ),
        permission_classes=[IsAuthenticated],
        metadata={
            SUBGRAPH: True,
            **weigh(size_argument="limit", default_size=traversal.SUBGRAPH_LIMIT),
        },
    )
    async def knowledge_subgraph(
        self,
        info: strawberry.Info,
        root_ids: Annotated[
            list[relay.GlobalID],
            strawberry.argument(description="The KnowledgeNodes to start from."),
        ],
        depth: Annotated[
            int | None, strawberry.argument(description="How many hops from a root, from 1 to 4.")
        ] = traversal.SUBGRAPH_DEPTH,
        edge_types: EdgeTypes = None,
        limit: Annotated[
            int | None, strawberry.argument(description="The most nodes to return, up to 1000.")
        ] = traversal.SUBGRAPH_LIMIT,
    ) -> KnowledgeSubgraph:
        roots = [_node_id(i, "rootIds") for i in root_ids]
        try:
            async with info.context.operation.session() as session:
                return await KnowledgeTraversal(session, info.context.viewer.scope()).subgraph(
                    roots,
                    depth=_or(depth, traversal.SUBGRAPH_DEPTH),
                    edge_types=edge_types,
                    limit=_or(limit, traversal.SUBGRAPH_LIMIT),
                )
        except domain.ValidationError as error:
            raise bad_input(error) from error
