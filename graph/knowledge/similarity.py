"""`similarNodes`: the knowledge nodes nearest to a node or a vector, by cosine distance.

The search runs on the HNSW index (see `persistence/knowledge/similarity.py`). A `to` node
that does not exist, is not visible or has no embedding has nothing similar to it: the
answer is an empty list, as a filter on an absent row gives an empty list everywhere else;
clients that need to tell these apart read `node(id) { ... on KnowledgeNode { hasEmbedding } }`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from graph.core.cost import weigh
from graph.core.errors import BadUserInput
from graph.core.ids import query_row_id
from graph.core.pagination import bad_input
from graph.core.permissions import IsAuthenticated
from graph.retrieval import entries
from graph.retrieval.arguments import CONVERSATION_ID
from persistence import errors as domain
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.knowledge.similarity import MAX_RESULTS, KnowledgeSimilarity, Similar

if TYPE_CHECKING:
    from graph.knowledge.types import KnowledgeNode

DEFAULT_FIRST = 10
SIMILARITY_WEIGHT = 10
"""An HNSW walk reads about `hnsw.ef_search` (2·first, at least 40) candidates, and may be
redone as an exact sort: it costs this much before its rows (graph/core/cost.py)."""


@strawberry.type(description="A knowledge node and how close it lies to what was asked for.")
class SimilarNode:
    node: Annotated[KnowledgeNode, strawberry.lazy("graph.knowledge.types")] = strawberry.field(
        description="The node found."
    )
    distance: float = strawberry.field(
        description="Cosine distance: 0 for the same direction, 1 unrelated, 2 opposite."
    )
    similarity: float = strawberry.field(
        description="Cosine similarity, 1 - distance: 1 for the same direction, -1 opposite."
    )

    @classmethod
    def of(cls, found: Similar) -> SimilarNode:
        return cls(node=found.node, distance=found.distance, similarity=1.0 - found.distance)


@strawberry.type
class SimilarityQueries:
    @strawberry.field(
        description=(
            "The live knowledge nodes nearest to a node (`to`) or an embedding (`vector`) by"
            " cosine distance, nearest first; give exactly one of the two. Approximate"
            " nearest-neighbour search on an HNSW index. A `to` node without an embedding"
            " (or not visible) has no similar nodes: the list is empty. Nodes without an"
            " embedding are never listed, nor is the `to` node itself."
        ),
        permission_classes=[IsAuthenticated],
        metadata=weigh(own=SIMILARITY_WEIGHT, default_size=DEFAULT_FIRST),
    )
    async def similar_nodes(
        self,
        info: strawberry.Info,
        to: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="The KnowledgeNode whose embedding to compare with."),
        ] = None,
        vector: Annotated[
            list[float] | None,
            strawberry.argument(
                description=f"An embedding to compare with: {EMBEDDING_DIMENSIONS} finite"
                " numbers, not all zero."
            ),
        ] = None,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"How many nodes to return, from 1 to {MAX_RESULTS} (null: 10)."
            ),
        ] = DEFAULT_FIRST,
        node_types: Annotated[
            list[str] | None,
            strawberry.argument(
                description="Only nodes of these types (an empty list matches none)."
            ),
        ] = None,
        conversation_id: CONVERSATION_ID = None,
    ) -> list[SimilarNode]:
        if (to is None) == (vector is None):
            raise BadUserInput("give exactly one of `to` and `vector`", "to")
        node_id = query_row_id(to, "KnowledgeNode", field="to")
        conversation = entries.conversation_id(conversation_id)
        limit = DEFAULT_FIRST if first is None else first
        started = time.perf_counter()
        try:
            async with info.context.operation.session() as session:
                search = KnowledgeSimilarity(session, info.context.viewer.scope())
                if node_id is not None:
                    found = await search.similar_to(node_id, first=limit, node_types=node_types)
                else:
                    assert vector is not None
                    found = await search.nearest(vector, first=limit, node_types=node_types)
        except domain.ValidationError as error:
            raise bad_input(error) from error
        entry = entries.similar_entry(
            info.context.viewer,
            source_node_id=node_id,
            node_types=node_types,
            conversation=conversation,
            hits=[(s.node.id, s.distance) for s in found],
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        entries.record(info.context.request, entry)
        return [SimilarNode.of(s) for s in found]
