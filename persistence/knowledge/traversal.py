"""Walking the knowledge graph inside PostgreSQL: neighbors, shortest paths and subgraphs.

Every walk is one recursive CTE that runs breadth-first, one level per iteration. A row of
the CTE is a whole level (per start node): the nodes first reached at that distance, the
edge and parent each was reached by, the heaviest total weight of a shortest route to it,
and the set of nodes seen so far. A node already seen is never expanded again, which is the
cycle detection and also what keeps a walk bounded: each node is expanded at most once per
start, so the work grows with the nodes and edges within reach, never with the number of
routes (a per-path visited array would follow every route of a dense cluster).

Among the edges that reach a node at its distance, the walk keeps the one that ends the
heaviest route (then the smallest edge id): that is a neighbor's `via` edge, and what breaks
ties between shortest paths of equal length.

Scope: every statement is confined to the caller's organization, and soft-deleted nodes and
edges are neither returned nor walked through (an edge whose node is deleted is hidden with
it, as in `KnowledgeEdgeRepository.visible`).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, Integer, String, and_, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import ValidationError
from persistence.knowledge.models import KnowledgeEdge, KnowledgeNode
from persistence.knowledge.repository import KnowledgeEdgeRepository
from persistence.pagination import MAX_PAGE_SIZE, Page, decode_cursor, encode_cursor
from persistence.repository import uuid_array
from persistence.scope import Scope

MAX_NEIGHBOR_DEPTH = 4
MAX_PATH_DEPTH = 6
MAX_SUBGRAPH_DEPTH = 4
MAX_SUBGRAPH_NODES = 1000
SUBGRAPH_DEPTH = 2
SUBGRAPH_LIMIT = 200

UUIDS = ARRAY(UUID(as_uuid=True))
CURSOR_TYPES = (int, str, uuid.UUID)  # a neighbor's (distance, label, id)


class Direction(enum.Enum):
    """Which way edges are followed: from source to target, back, or either way."""

    OUT = "OUT"
    IN = "IN"
    BOTH = "BOTH"


@dataclass(frozen=True)
class NeighborQuery:
    """What to list around each start node; hashable, so loaders can key by it.

    `edge_types` limits the edges walked; `node_types` only filters the nodes listed (the
    walk passes through nodes of any type). An empty tuple matches nothing; None, anything.
    """

    depth: int = 1
    direction: Direction = Direction.BOTH
    edge_types: tuple[str, ...] | None = None
    node_types: tuple[str, ...] | None = None
    first: int = 20
    after: str | None = None

    def validate(self) -> None:
        _check_range("depth", self.depth, 1, MAX_NEIGHBOR_DEPTH)
        _check_range("first", self.first, 0, MAX_PAGE_SIZE)
        self.after_key()

    def after_key(self) -> tuple[Any, ...] | None:
        """The (distance, label, id) the page starts after, or a ValidationError."""
        if self.after is None:
            return None
        return decode_cursor(self.after, CURSOR_TYPES, argument="after")


@dataclass(frozen=True)
class Neighbor:
    """A node within reach of a start node: its distance in hops and the edge reaching it."""

    node: KnowledgeNode
    distance: int
    via: KnowledgeEdge


@dataclass
class NeighborPage(Page[Neighbor]):
    """A page of one start node's neighbors, with how many it has across all pages."""

    total_count: int = 0


@dataclass(frozen=True)
class Path:
    """The nodes of a route in order, and the edges between them."""

    node_ids: list[uuid.UUID]
    edge_ids: list[uuid.UUID]
    total_weight: float

    @property
    def length(self) -> int:
        return len(self.edge_ids)


@dataclass
class Subgraph:
    """Nodes within reach of some roots (closest first), and the edges among them."""

    nodes: list[KnowledgeNode] = field(default_factory=list)
    edges: list[KnowledgeEdge] = field(default_factory=list)
    truncated: bool = False


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValidationError(name, f"{name} must be between {low} and {high}")


# -- SQL ------------------------------------------------------------------------------------

# The live edges leaving frontier node `f.id`, as the node they lead to.
_HOP_OUT = """
                SELECT e.target_id AS node_id, e.id AS edge_id, e.weight
                FROM knowledge_edges AS e
                WHERE e.organization_id = :org AND e.source_id = f.id
                  AND e.deleted_at IS NULL{edge_types}"""
_HOP_IN = """
                SELECT e.source_id AS node_id, e.id AS edge_id, e.weight
                FROM knowledge_edges AS e
                WHERE e.organization_id = :org AND e.target_id = f.id
                  AND e.deleted_at IS NULL{edge_types}"""
_HOPS = {
    Direction.OUT: _HOP_OUT,
    Direction.IN: _HOP_IN,
    Direction.BOTH: _HOP_OUT + "\n                UNION ALL" + _HOP_IN,
}

# Level 0, one row per live start node (neighbors) ...
_EACH_START = """
        SELECT n.id, 0, ARRAY[n.id], ARRAY[NULL::uuid], ARRAY[NULL::uuid], ARRAY[0::float8],
               ARRAY[n.id]
        FROM knowledge_nodes AS n
        WHERE n.organization_id = :org AND n.id = ANY(:starts) AND n.deleted_at IS NULL"""
# ... only when the target is a live node too (shortest path: no walk towards nothing) ...
_TO_LIVE_TARGET = (
    _EACH_START
    + """
          AND EXISTS (
              SELECT FROM knowledge_nodes AS t
              WHERE t.organization_id = :org AND t.id = :target AND t.deleted_at IS NULL
          )"""
)
# ... or one row holding every live start node (subgraph).
_ALL_STARTS = """
        SELECT NULL::uuid, 0, array_agg(n.id), array_agg(NULL::uuid), array_agg(NULL::uuid),
               array_agg(0::float8), array_agg(n.id)
        FROM knowledge_nodes AS n
        WHERE n.organization_id = :org AND n.id = ANY(:starts) AND n.deleted_at IS NULL
        HAVING count(*) > 0"""

# Breadth-first, a level per iteration. The next level is every live node one hop from the
# current one and not seen before, each once: by the edge ending the heaviest route to it.
# "Not seen" is an anti-join on `unnest(seen)`, which PostgreSQL can hash once per level;
# `<> ALL(seen)` compares each candidate with every node seen (1.7x slower at depth 4), and
# `NOT IN (SELECT unnest(seen))`, a hashed subplan, gave wrong results on PostgreSQL 18.6
# when several start nodes share the statement (the hash of one start's set was reused).
_BFS = """
    bfs(start_id, depth, nodes, edges, parents, totals, seen) AS ({base}
      UNION ALL
        SELECT b.start_id, b.depth + 1, step.nodes, step.edges, step.parents, step.totals,
               b.seen || step.nodes
        FROM bfs AS b
        CROSS JOIN LATERAL (
            SELECT array_agg(c.node_id) AS nodes, array_agg(c.edge_id) AS edges,
                   array_agg(c.parent_id) AS parents, array_agg(c.total) AS totals
            FROM (
                SELECT DISTINCT ON (hop.node_id)
                       hop.node_id, hop.edge_id, f.id AS parent_id, f.total + hop.weight AS total
                FROM unnest(b.nodes, b.totals) AS f(id, total)
                CROSS JOIN LATERAL ({hops}
                ) AS hop
                JOIN knowledge_nodes AS n
                  ON n.organization_id = :org AND n.id = hop.node_id AND n.deleted_at IS NULL
                WHERE NOT EXISTS (SELECT FROM unnest(b.seen) AS s(id) WHERE s.id = hop.node_id)
                ORDER BY hop.node_id, f.total + hop.weight DESC, hop.edge_id
            ) AS c
        ) AS step
        WHERE b.depth < :depth AND step.nodes IS NOT NULL{stop}
    )"""

_NEIGHBORS = """
WITH RECURSIVE{bfs},
    reached AS (
        SELECT b.start_id, r.node_id, r.edge_id, b.depth AS distance, n.label
        FROM bfs AS b
        CROSS JOIN LATERAL unnest(b.nodes, b.edges) AS r(node_id, edge_id)
        JOIN knowledge_nodes AS n ON n.organization_id = :org AND n.id = r.node_id
        WHERE b.depth > 0{node_types}
    ),
    totals AS (
        SELECT start_id, count(*) AS total FROM reached GROUP BY start_id
    ),
    ranked AS (
        SELECT r.*, row_number() OVER (
            PARTITION BY r.start_id ORDER BY r.distance, r.label, r.node_id
        ) AS position
        FROM reached AS r{after}
    )
SELECT t.start_id, t.total, k.distance, k.node_id, k.edge_id, k.position
FROM totals AS t
LEFT JOIN ranked AS k ON k.start_id = t.start_id AND k.position <= :limit
"""

# Walk back from the target through the levels to the source, by the parents kept.
_PATH = """
WITH RECURSIVE{bfs},
    walk(depth, node_id, edge_id, parent_id, total) AS (
        SELECT b.depth, r.node_id, r.edge_id, r.parent_id, r.total
        FROM bfs AS b
        CROSS JOIN LATERAL unnest(b.nodes, b.edges, b.parents, b.totals)
            AS r(node_id, edge_id, parent_id, total)
        WHERE r.node_id = :target
      UNION ALL
        SELECT b.depth, r.node_id, r.edge_id, r.parent_id, r.total
        FROM walk AS w
        JOIN bfs AS b ON b.depth = w.depth - 1
        CROSS JOIN LATERAL unnest(b.nodes, b.edges, b.parents, b.totals)
            AS r(node_id, edge_id, parent_id, total)
        WHERE r.node_id = w.parent_id
    )
SELECT array_agg(node_id ORDER BY depth) AS node_ids,
       array_agg(edge_id ORDER BY depth) FILTER (WHERE edge_id IS NOT NULL) AS edge_ids,
       max(total) AS total_weight,
       count(*) AS found
FROM walk
"""

_SUBGRAPH = """
WITH RECURSIVE{bfs}
SELECT r.node_id, b.depth AS distance, n.label
FROM bfs AS b
CROSS JOIN LATERAL unnest(b.nodes) AS r(node_id)
JOIN knowledge_nodes AS n ON n.organization_id = :org AND n.id = r.node_id
ORDER BY b.depth, n.label, r.node_id
LIMIT :limit
"""


def _bfs(base: str, direction: Direction, edge_types: Sequence[str] | None, stop: str = "") -> str:
    types = "" if edge_types is None else " AND e.edge_type = ANY(:edge_types)"
    hops = _HOPS[direction].format(edge_types=types)
    return _BFS.format(base=base, hops=hops, stop=stop)


def neighbors_sql(query: NeighborQuery) -> str:
    """The neighbors statement for `query`'s shape; parameters `:org`, `:starts`, `:depth`,
    `:limit` (one more than a page), and as the query has them `:edge_types`,
    `:node_types`, `:after_distance`, `:after_label`, `:after_id`. Rows: `start_id`,
    `total`, and the page's `distance`, `node_id`, `edge_id`, `position` (null on a start's
    row when its page is empty)."""
    node_types = "" if query.node_types is None else " AND n.node_type = ANY(:node_types)"
    after = ""
    if query.after is not None:
        after = (
            "\n        WHERE (r.distance, r.label, r.node_id) > (:after_distance,"
            " CAST(:after_label AS varchar), :after_id)"
        )
    return _NEIGHBORS.format(
        bfs=_bfs(_EACH_START, query.direction, query.edge_types),
        node_types=node_types,
        after=after,
    )


def path_sql(direction: Direction, edge_types: Sequence[str] | None) -> str:
    """The shortest-path statement; parameters `:org`, `:starts` (the source alone),
    `:target`, `:depth` and, with edge types, `:edge_types`. One row: `node_ids`, `edge_ids`,
    `total_weight`, `found` (0 when there is no route)."""
    # stop once the target is reached: that level is the fewest hops
    stop = " AND :target <> ALL(b.nodes)"
    return _PATH.format(bfs=_bfs(_TO_LIVE_TARGET, direction, edge_types, stop))


def subgraph_sql(direction: Direction, edge_types: Sequence[str] | None) -> str:
    """The subgraph's nodes, closest first: `node_id`, `distance`, `label`; parameters
    `:org`, `:starts` (the roots), `:depth`, `:limit` (one more than wanted: it tells
    `truncated`) and, with edge types, `:edge_types`."""
    stop = " AND cardinality(b.seen) < :limit"
    return _SUBGRAPH.format(bfs=_bfs(_ALL_STARTS, direction, edge_types, stop))


def _params(
    scope: Scope, starts: Sequence[uuid.UUID], edge_types: Sequence[str] | None
) -> list[Any]:
    params = [
        bindparam("org", scope.organization_id, type_=UUID(as_uuid=True)),
        bindparam("starts", list(starts), type_=UUIDS),
    ]
    if edge_types is not None:
        params.append(bindparam("edge_types", list(edge_types), type_=ARRAY(String)))
    return params


class KnowledgeTraversal:
    """Graph walks within the caller's organization, over live nodes and edges only."""

    def __init__(self, session: AsyncSession, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    async def neighbors(
        self, start_ids: Sequence[uuid.UUID], query: NeighborQuery
    ) -> dict[uuid.UUID, NeighborPage]:
        """A page of neighbors for every start node, in one statement.

        A neighbor is a node 1..`depth` hops away (never the start itself) with its fewest
        hops and the edge reaching it; pages are ordered by (distance, label, id).
        """
        query.validate()
        after = query.after_key()
        params = _params(self.scope, start_ids, query.edge_types)
        params += [
            bindparam("depth", query.depth, type_=Integer),
            bindparam("limit", query.first + 1, type_=Integer),
        ]
        if query.node_types is not None:
            params.append(bindparam("node_types", list(query.node_types), type_=ARRAY(String)))
        if after is not None:
            params += [
                bindparam("after_distance", after[0], type_=Integer),
                bindparam("after_label", after[1], type_=String),
                bindparam("after_id", after[2], type_=UUID(as_uuid=True)),
            ]
        sql = neighbors_sql(query)
        found = (
            text(sql)
            .bindparams(*params)
            .columns(
                start_id=UUID(as_uuid=True),
                total=Integer,
                distance=Integer,
                node_id=UUID(as_uuid=True),
                edge_id=UUID(as_uuid=True),
                position=Integer,
            )
            .subquery("found")
        )
        org = self.scope.organization_id
        stmt = (
            select(found.c.start_id, found.c.total, found.c.distance, KnowledgeNode, KnowledgeEdge)
            .select_from(found)
            .outerjoin(
                KnowledgeNode,
                and_(KnowledgeNode.organization_id == org, KnowledgeNode.id == found.c.node_id),
            )
            .outerjoin(
                KnowledgeEdge,
                and_(KnowledgeEdge.organization_id == org, KnowledgeEdge.id == found.c.edge_id),
            )
            .order_by(found.c.start_id, found.c.position)
        )
        rows: dict[uuid.UUID, list[Neighbor]] = {s: [] for s in start_ids}
        totals: dict[uuid.UUID, int] = {}
        for start_id, total, distance, node, edge in await self.session.execute(stmt):
            totals[start_id] = total
            if node is not None:
                rows[start_id].append(Neighbor(node=node, distance=distance, via=edge))
        return {
            start: NeighborPage(
                items=items[: query.first],
                cursors=[
                    encode_cursor((n.distance, n.node.label, n.node.id))
                    for n in items[: query.first]
                ],
                has_next_page=len(items) > query.first,
                has_previous_page=after is not None,
                total_count=totals.get(start, 0),
            )
            for start, items in rows.items()
        }

    async def shortest_path(
        self,
        source_id: uuid.UUID,
        target_id: uuid.UUID,
        *,
        max_depth: int = MAX_PATH_DEPTH,
        direction: Direction = Direction.OUT,
        edge_types: Sequence[str] | None = None,
    ) -> Path | None:
        """The route with the fewest hops (at most `max_depth`), the heaviest among equals;
        None when there is none. From a node to itself: that node alone, length 0."""
        _check_range("max_depth", max_depth, 1, MAX_PATH_DEPTH)
        params = _params(self.scope, [source_id], edge_types)
        params += [
            bindparam("depth", max_depth, type_=Integer),
            bindparam("target", target_id, type_=UUID(as_uuid=True)),
        ]
        sql = path_sql(direction, edge_types)
        stmt = (
            text(sql)
            .bindparams(*params)
            .columns(node_ids=UUIDS, edge_ids=UUIDS, total_weight=Float, found=Integer)
        )
        row = (await self.session.execute(stmt)).one()
        if not row.found:
            return None
        return Path(
            node_ids=list(row.node_ids),
            edge_ids=list(row.edge_ids or []),
            total_weight=float(row.total_weight),
        )

    async def subgraph(
        self,
        root_ids: Sequence[uuid.UUID],
        *,
        depth: int = SUBGRAPH_DEPTH,
        edge_types: Sequence[str] | None = None,
        limit: int = SUBGRAPH_LIMIT,
        direction: Direction = Direction.BOTH,
    ) -> Subgraph:
        """The nodes within `depth` hops of any root (the roots included), closest first
        and at most `limit` of them, and the live edges among them (of `edge_types`).

        `truncated` says that more nodes lie within reach. The walk stops widening once it
        has seen more than `limit` nodes; the levels it finished decide which are closest.
        """
        _check_range("depth", depth, 1, MAX_SUBGRAPH_DEPTH)
        _check_range("limit", limit, 0, MAX_SUBGRAPH_NODES)
        params = _params(self.scope, root_ids, edge_types)
        params += [
            bindparam("depth", depth, type_=Integer),
            bindparam("limit", limit + 1, type_=Integer),
        ]
        sql = subgraph_sql(direction, edge_types)
        found = (
            text(sql)
            .bindparams(*params)
            .columns(node_id=UUID(as_uuid=True), distance=Integer, label=String)
            .subquery("found")
        )
        org = self.scope.organization_id
        stmt = (
            select(KnowledgeNode)
            .join(
                found,
                and_(KnowledgeNode.organization_id == org, KnowledgeNode.id == found.c.node_id),
            )
            .order_by(found.c.distance, found.c.label, found.c.node_id)
        )
        nodes = list((await self.session.scalars(stmt)).all())
        truncated = len(nodes) > limit
        nodes = nodes[:limit]
        if not nodes:
            return Subgraph(nodes=[], edges=[], truncated=truncated)
        ids = [n.id for n in nodes]
        among = (
            KnowledgeEdgeRepository(self.session, self.scope)
            .select()
            .where(
                KnowledgeEdge.source_id == any_(uuid_array("sources", ids)),
                KnowledgeEdge.target_id == any_(uuid_array("targets", ids)),
            )
        )
        if edge_types is not None:
            types = bindparam("edge_types", list(edge_types), type_=ARRAY(String))
            among = among.where(KnowledgeEdge.edge_type == any_(types))
        among = among.order_by(KnowledgeEdge.weight.desc(), KnowledgeEdge.id)
        edges = list((await self.session.scalars(among)).all())
        return Subgraph(nodes=nodes, edges=edges, truncated=truncated)
