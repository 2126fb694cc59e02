"""Nearest knowledge nodes by cosine distance, served by the HNSW index.

The query is `ORDER BY embedding <=> :vector LIMIT :k` over the caller's live nodes, which
PostgreSQL answers with an Index Scan on `ix_knowledge_nodes_embedding_hnsw` (cosine ops).

An HNSW scan applies `WHERE` conditions (organization, node types, not deleted, not the
`to` node) *after* the graph walk: with plain settings it finds `hnsw.ef_search` (40)
candidates, filters them and may return fewer than `k` rows although more match. So before
the query the transaction sets (`SET LOCAL` semantics, PgBouncer-safe):

- `hnsw.ef_search` to twice the rows asked for (at least pgvector's default, at most its
  limit of 1000): a wider candidate list, so recall does not drop as `k` grows;
- `hnsw.iterative_scan = relaxed_order` (pgvector 0.8): when the candidates run out before
  `k` rows passed the filters, the scan continues through the graph (up to
  `hnsw.max_scan_tuples`). Rows may then come back slightly out of order, so they are
  re-sorted by distance here.

If even that yields fewer than `k` rows — few rows match the filters, or the scan gave up
in a large table shared with other organizations — the same query runs once more as an exact
scan (the ordering expression hidden from the index), which is cheap in exactly that case:
it reads only the rows the filters leave. Either way a caller gets the `k` nearest rows
there are, never silently fewer.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import ValidationError
from persistence.knowledge.models import KnowledgeNode
from persistence.knowledge.repository import KnowledgeNodeRepository, check_embedding
from persistence.scope import Scope

MAX_RESULTS = 100
EF_SEARCH_DEFAULT = 40  # pgvector's default candidate list
EF_SEARCH_LIMIT = 1000  # the largest hnsw.ef_search pgvector accepts

_TUNE = text(
    "SELECT set_config('hnsw.ef_search', :ef_search, true),"
    " set_config('hnsw.iterative_scan', 'relaxed_order', true)"
)


@dataclass(frozen=True)
class Similar:
    """A node and its cosine distance to the query vector (0 = same direction, 2 = opposite)."""

    node: KnowledgeNode
    distance: float


def query_vector(vector: Sequence[float]) -> list[float]:
    """A query vector as stored embeddings are checked, and not all zeros (no direction)."""
    try:
        values = check_embedding(vector)
    except ValidationError as error:
        raise ValidationError("vector", error.message.replace("embedding", "vector", 1)) from None
    assert values is not None
    if not any(values):
        raise ValidationError("vector", "vector must not be all zeros: it has no direction")
    return values


def ef_search(limit: int) -> int:
    """The HNSW candidate list for `limit` rows: twice as many, within pgvector's bounds."""
    return max(EF_SEARCH_DEFAULT, min(EF_SEARCH_LIMIT, 2 * limit))


class KnowledgeSimilarity:
    """Similarity search over one organization's live knowledge nodes."""

    def __init__(self, session: AsyncSession, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    def statement(
        self,
        vector: Any,
        *,
        limit: int,
        node_types: Sequence[str] | None = None,
        exclude_id: uuid.UUID | None = None,
        exact: bool = False,
    ) -> Select[Any]:
        """The nearest-rows query: the HNSW index's order, or (`exact`) a full sort."""
        distance = KnowledgeNode.embedding.cosine_distance(vector)
        labeled = distance.label("distance")
        stmt = (
            KnowledgeNodeRepository(self.session, self.scope)
            .select()
            .where(KnowledgeNode.embedding.is_not(None))
            .add_columns(labeled)
        )
        if node_types is not None:
            types = bindparam("node_types", list(node_types), type_=ARRAY(String))
            stmt = stmt.where(KnowledgeNode.node_type == any_(types))
        if exclude_id is not None:
            stmt = stmt.where(KnowledgeNode.id != exclude_id)
        # `+ 0` makes the ordering an expression no index provides: an exact top-k sort
        return stmt.order_by(distance + 0 if exact else labeled).limit(limit)

    async def nearest(
        self,
        vector: Sequence[float],
        *,
        first: int,
        node_types: Sequence[str] | None = None,
        exclude_id: uuid.UUID | None = None,
    ) -> list[Similar]:
        """The `first` live nodes nearest to `vector`, nearest first; two or three statements."""
        return await self._nearest(
            query_vector(vector), first=first, node_types=node_types, exclude_id=exclude_id
        )

    async def similar_to(
        self, node_id: uuid.UUID, *, first: int, node_types: Sequence[str] | None = None
    ) -> list[Similar]:
        """The `first` live nodes nearest to a node, without it; none if it is missing,
        invisible or has no embedding."""
        _check_first(first)
        embedding = await KnowledgeNodeRepository(self.session, self.scope).embedding_of(node_id)
        if embedding is None:
            return []
        return await self._nearest(
            embedding, first=first, node_types=node_types, exclude_id=node_id
        )

    async def _nearest(
        self,
        vector: Any,
        *,
        first: int,
        node_types: Sequence[str] | None,
        exclude_id: uuid.UUID | None,
    ) -> list[Similar]:
        _check_first(first)
        if node_types is not None:
            node_types = list(dict.fromkeys(node_types))
            if not node_types:
                return []
        query = {"limit": first, "node_types": node_types, "exclude_id": exclude_id}
        await self.session.execute(_TUNE, {"ef_search": str(ef_search(first))})
        rows = (await self.session.execute(self.statement(vector, **query))).all()
        if len(rows) < first:
            rows = (await self.session.execute(self.statement(vector, exact=True, **query))).all()
        found = [
            Similar(node=node, distance=float(distance))
            for node, distance in rows
            if distance is not None and not math.isnan(distance)  # a zero vector has no angle
        ]
        return sorted(found, key=lambda s: (s.distance, s.node.id))


def _check_first(first: int) -> None:
    if not 1 <= first <= MAX_RESULTS:
        raise ValidationError("first", f"first must be between 1 and {MAX_RESULTS}")
