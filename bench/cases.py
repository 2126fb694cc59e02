"""What is measured: one operation per benchmark, as a frontend would send it, and its inputs.

Each case names the schema fields it needs; a case whose fields are not in the running
schema is skipped and reported as such, so the harness runs while fields are being built.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry.relay import to_base64

from bench.dataset import Inputs

Sizes = Callable[[Any], dict[str, int]]


@dataclass(frozen=True)
class Case:
    name: str
    title: str
    query: str
    inputs: list[tuple[str, dict[str, Any]]]
    sizes: Sizes
    requires: tuple[tuple[str, str], ...] = ()
    notes: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


def node_id(value: uuid.UUID) -> str:
    return to_base64("KnowledgeNode", str(value))


FLOOR = """
query Floor {
  viewer { username }
}"""

BASELINE = """
query Baseline {
  documents(first: 50) {
    edges { node { title owner { username } collection { name } tags { name } } }
  }
}"""

NODES_PAGE = """
query NodesPage($type: String!) {
  knowledgeNodes(first: 20, filter: {nodeType: $type}) { edges { node { id label } } }
}"""

NEIGHBORS = """
query Neighbors($id: ID!, $depth: Int!) {
  node(id: $id) {
    ... on KnowledgeNode {
      label
      neighbors(depth: $depth, first: 20) {
        totalCount
        edges { node { distance node { label } via { type weight } } }
      }
    }
  }
}"""

SIMILAR_TO = """
query SimilarTo($id: ID!) {
  similarNodes(to: $id, first: 10) { node { label } distance similarity }
}"""

SIMILAR_VECTOR = """
query SimilarToVector($vector: [Float!]!) {
  similarNodes(vector: $vector, first: 10) { node { label } distance similarity }
}"""

SEARCH = """
query Search($query: String!) {
  searchDocuments(query: $query, first: 20) {
    totalCount
    edges { node { rank highlight document { title owner { username } } } }
  }
}"""

SHORTEST_PATH = """
query ShortestPath($from: ID!, $to: ID!, $direction: TraversalDirection!) {
  shortestPath(fromId: $from, toId: $to, maxDepth: 6, direction: $direction) {
    length
    nodes { label }
  }
}"""

# From the seed's word banks (persistence/seed/banks.py): topic subjects, slot phrases and
# tags, as a person would type them into a search box.
SEARCH_QUERIES = (
    "replication",  # one word, in a topic subject and a metric: many matches
    "stampede",  # one rarer word ("a cache stampede")
    "vacuum tuning",  # two words (a databases subject)
    "kafka latency",  # two words that meet only by chance
    '"cache hit ratio"',  # a quoted phrase (a metric)
    "kubernetes -terraform",  # an exclusion
)


INSIGHTS = """
query Insights($range: RetrievalRange!) {
  retrievalInsights(range: $range) {
    queryCount zeroHitQueryCount
    queriesPerDay { day queries zeroHitQueries }
    topQueries { text queries }
    zeroHitQueries { text queries }
    durationP50Ms durationP95Ms
    mostCitedDocuments { document { title } returned }
    documentsNeverReturned { title }
  }
}"""


def _insights_ranges() -> list[tuple[str, dict[str, Any]]]:
    """The whole seeded history (90 days), a month and a week, ending today."""
    today = datetime.now(UTC).date()
    return [
        (f"{days} days", {"range": {"from": str(today - timedelta(days=days)), "to": str(today)}})
        for days in (90, 30, 7)
    ]


def _insights_sizes(data: Any) -> dict[str, int]:
    return {"queryCount": data["retrievalInsights"]["queryCount"]}


def _rows(path: str) -> Sizes:
    """The number of edges of the connection at `path` (dot-separated)."""

    def sizes(data: Any) -> dict[str, int]:
        for key in path.split("."):
            data = data[key]
        return {"rows": len(data["edges"])}

    return sizes


def _neighbor_sizes(data: Any) -> dict[str, int]:
    neighbors = data["node"]["neighbors"]
    return {"totalCount": neighbors["totalCount"], "rows": len(neighbors["edges"])}


def _similar_sizes(data: Any) -> dict[str, int]:
    return {"rows": len(data["similarNodes"])}


def _search_sizes(data: Any) -> dict[str, int]:
    found = data["searchDocuments"]
    return {"totalCount": found["totalCount"], "rows": len(found["edges"])}


def _path_sizes(data: Any) -> dict[str, int]:
    path = data["shortestPath"]
    return {"length": path["length"] if path else -1}


CONVERSATION = """
query ConversationPage($id: ID!) {
  conversation(id: $id) {
    title
    messages(last: 50) {
      pageInfo { hasPreviousPage startCursor }
      edges { node {
        position role body createdAt author { username }
        citations { rank spanStart spanEnd document { title } }
      } }
    }
  }
}"""


def _conversation_case(inputs: Inputs) -> Case:
    """The newest page of the longest conversation (10,000 messages in `--scale` data)."""
    return Case(
        name="conversation-last-50",
        title="conversation(id) { messages(last: 50) { … citations { document { title } } } }",
        query=CONVERSATION,
        inputs=[
            (f"conversation {i}", {"id": to_base64("Conversation", str(c))})
            for i, c in enumerate(inputs.conversation_ids)
        ],
        sizes=lambda data: {"rows": len(data["conversation"]["messages"]["edges"])},
        requires=(("Query", "conversation"),),
    )


def build_cases(inputs: Inputs) -> list[Case]:
    node_ids = [(f"node {i}", {"id": node_id(n)}) for i, n in enumerate(inputs.node_ids)]
    neighbors = [
        Case(
            name=f"neighbors-depth-{depth}",
            title=f"neighbors, depth {depth} (first 20 + totalCount)",
            query=NEIGHBORS,
            inputs=[(label, {**v, "depth": depth}) for label, v in node_ids],
            sizes=_neighbor_sizes,
            requires=(("KnowledgeNode", "neighbors"),),
            tags=("required",) if depth == 3 else (),
        )
        for depth in (1, 2, 3)
    ]
    return [
        Case(
            name="floor-viewer",
            title="floor: viewer { username }",
            query=FLOOR,
            inputs=[("viewer", {})],
            sizes=lambda data: {"rows": int(data["viewer"] is not None)},
            requires=(("Query", "viewer"),),
        ),
        Case(
            name="baseline-documents",
            title="baseline: documents(first: 50) with owner, collection, tags",
            query=BASELINE,
            inputs=[("page 1", {})],
            sizes=_rows("documents"),
            requires=(("Query", "documents"),),
        ),
        Case(
            name="knowledge-nodes-page",
            title="knowledgeNodes(first: 20, filter: {nodeType})",
            query=NODES_PAGE,
            inputs=[(t, {"type": t}) for t in inputs.node_types],
            sizes=_rows("knowledgeNodes"),
            requires=(("Query", "knowledgeNodes"),),
        ),
        *neighbors,
        Case(
            name="similar-to-node",
            title="similarNodes(to: node, first: 10)",
            query=SIMILAR_TO,
            inputs=[(f"node {i}", {"id": node_id(n)}) for i, n in enumerate(inputs.similar_ids)],
            sizes=_similar_sizes,
            requires=(("Query", "similarNodes"),),
            tags=("required",),
        ),
        Case(
            name="similar-to-vector",
            title="similarNodes(vector: 384 floats, first: 10)",
            query=SIMILAR_VECTOR,
            inputs=[(f"vector {i}", {"vector": v}) for i, v in enumerate(inputs.vectors)],
            sizes=_similar_sizes,
            requires=(("Query", "similarNodes"),),
            tags=("required",),
        ),
        Case(
            name="search-documents",
            title="searchDocuments(query, first: 20) + totalCount, rank, highlight",
            query=SEARCH,
            inputs=[(q, {"query": q}) for q in SEARCH_QUERIES],
            sizes=_search_sizes,
            requires=(("Query", "searchDocuments"),),
            tags=("required", "per-input"),
        ),
        Case(
            name="retrieval-insights",
            title="retrievalInsights(range) over the seeded history (1,000,000 calls at 100,000)",
            query=INSIGHTS,
            inputs=_insights_ranges(),
            sizes=_insights_sizes,
            requires=(("Query", "retrievalInsights"),),
            tags=("required", "per-input"),
        ),
        *(
            Case(
                name=f"shortest-path-{direction.lower()}",
                title=f"shortestPath(maxDepth: 6, direction: {direction}), random pairs",
                query=SHORTEST_PATH,
                inputs=[
                    (f"pair {i}", {"from": node_id(a), "to": node_id(b), "direction": direction})
                    for i, (a, b) in enumerate(inputs.pairs)
                ],
                sizes=_path_sizes,
                requires=(("Query", "shortestPath"),),
            )
            for direction in ("OUT", "BOTH")
        ),
        _conversation_case(inputs),
    ]
