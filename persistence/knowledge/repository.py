"""Knowledge graph nodes (with validated embeddings) and weighted, typed edges."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, any_, exists, func, literal, select, union_all
from sqlalchemy.orm import aliased

from persistence.errors import ValidationError
from persistence.knowledge.models import EMBEDDING_DIMENSIONS, KnowledgeEdge, KnowledgeNode
from persistence.relation import Rows
from persistence.repository import Repository, contains_text, given, uuid_array

# pgvector stores float4: a finite float beyond this overflows on the server.
FLOAT4_MAX = 3.4028234663852886e38


def check_embedding(embedding: Sequence[float] | None) -> list[float] | None:
    """An embedding of the right dimension whose numbers all fit a float4, or a ValidationError."""
    if embedding is None:
        return None
    values = list(embedding)
    if len(values) != EMBEDDING_DIMENSIONS:
        raise ValidationError(
            "embedding", f"embedding must have {EMBEDDING_DIMENSIONS} dimensions, not {len(values)}"
        )
    if not all(_is_float4(v) for v in values):
        raise ValidationError(
            "embedding", f"embedding values must be finite numbers within ±{FLOAT4_MAX:.4g}"
        )
    return [float(v) for v in values]


def _is_float4(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) <= FLOAT4_MAX


@dataclass(frozen=True)
class NodeFilter:
    node_type: str | None = None
    search: str | None = None
    source_document_id: uuid.UUID | None = None


@dataclass(frozen=True)
class EdgeFilter:
    edge_type: str | None = None
    source_id: uuid.UUID | None = None
    target_id: uuid.UUID | None = None


class KnowledgeNodeRepository(Repository[KnowledgeNode]):
    model = KnowledgeNode
    entity = "knowledge node"
    sort_keys = {
        "created_at": KnowledgeNode.created_at,
        "updated_at": KnowledgeNode.updated_at,
        "label": KnowledgeNode.label,
    }

    def filters(self, filter: NodeFilter) -> list[Any]:
        clauses: list[Any] = []
        if filter.node_type is not None:
            clauses.append(KnowledgeNode.node_type == filter.node_type)
        if filter.source_document_id is not None:
            clauses.append(KnowledgeNode.source_document_id == filter.source_document_id)
        if given(filter.search):
            clauses.append(contains_text(KnowledgeNode.label, filter.search))
        return clauses

    def _new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        if "embedding" in values:
            values["embedding"] = check_embedding(values["embedding"])
        return super()._new_row(values)

    async def embedding_of(self, id: uuid.UUID) -> list[float] | None:
        """A live node's embedding (rows never carry it: it is large)."""
        stmt = (
            self.select().where(KnowledgeNode.id == id).with_only_columns(KnowledgeNode.embedding)
        )
        value = await self.session.scalar(stmt)
        return None if value is None else [float(v) for v in value]

    async def update(
        self, id: uuid.UUID, *, expected_version: int | None, **changes: Any
    ) -> KnowledgeNode:
        if "embedding" in changes:
            changes["embedding"] = check_embedding(changes["embedding"])
        return await super().update(id, expected_version=expected_version, **changes)

    async def for_documents(
        self, document_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[KnowledgeNode]]:
        """Each document's live nodes by label, for many documents in one statement."""
        found = await NODES_BY_DOCUMENT.fetch(self.session, self.scope, document_ids)
        return dict(zip(document_ids, found, strict=True))


@dataclass(frozen=True)
class Degree:
    """How many live edges leave and enter a node."""

    outgoing: int = 0
    incoming: int = 0


class KnowledgeEdgeRepository(Repository[KnowledgeEdge]):
    model = KnowledgeEdge
    entity = "knowledge edge"
    sort_keys = {
        "created_at": KnowledgeEdge.created_at,
        "weight": KnowledgeEdge.weight,
    }

    def visible(self) -> list[ColumnElement[bool]]:
        """An edge exists only while both its nodes do: one whose source or target is
        soft-deleted is absent from every read and write (restoring the node brings it back),
        so `source` and `target` never resolve to a missing node. One anti-join per end
        (rather than `id IN (source_id, target_id)`) lets the planner hash or index them."""
        clauses: list[ColumnElement[bool]] = []
        for end in (KnowledgeEdge.source_id, KnowledgeEdge.target_id):
            node = aliased(KnowledgeNode)
            deleted = exists().where(
                node.organization_id == KnowledgeEdge.organization_id,
                node.id == end,
                node.deleted_at.is_not(None),
            )
            clauses.append(~deleted)
        return clauses

    def filters(self, filter: EdgeFilter) -> list[Any]:
        clauses: list[Any] = []
        for column, value in (
            (KnowledgeEdge.edge_type, filter.edge_type),
            (KnowledgeEdge.source_id, filter.source_id),
            (KnowledgeEdge.target_id, filter.target_id),
        ):
            if value is not None:
                clauses.append(column == value)
        return clauses

    async def touching(
        self, node_ids: Sequence[uuid.UUID], *, outgoing: bool
    ) -> dict[uuid.UUID, list[KnowledgeEdge]]:
        """Live edges leaving (or entering) each node, for many nodes in one statement."""
        relation = OUTGOING_EDGES if outgoing else INCOMING_EDGES
        found = await relation.fetch(self.session, self.scope, node_ids)
        return dict(zip(node_ids, found, strict=True))

    async def degrees(self, node_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Degree]:
        """Live edges leaving and entering each node, for many nodes in one statement."""
        ids = uuid_array("ids", node_ids)
        ends = union_all(
            *(
                self.select()
                .where(end == any_(ids))
                .with_only_columns(end.label("node_id"), literal(outgoing).label("outgoing"))
                for end, outgoing in (
                    (KnowledgeEdge.source_id, True),
                    (KnowledgeEdge.target_id, False),
                )
            )
        ).subquery()
        stmt = select(
            ends.c.node_id,
            func.count().filter(ends.c.outgoing),
            func.count().filter(~ends.c.outgoing),
        ).group_by(ends.c.node_id)
        found = {node: Degree(out, in_) for node, out, in_ in await self.session.execute(stmt)}
        return {i: found.get(i, Degree()) for i in node_ids}


NODE_BY_ID = Rows(KnowledgeNodeRepository)
EDGE_BY_ID = Rows(KnowledgeEdgeRepository)
NODES_BY_DOCUMENT = Rows(
    KnowledgeNodeRepository, key="source_document_id", many=True, order=("label", "id")
)
OUTGOING_EDGES = Rows(KnowledgeEdgeRepository, key="source_id", many=True, order=("-weight", "id"))
INCOMING_EDGES = Rows(KnowledgeEdgeRepository, key="target_id", many=True, order=("-weight", "id"))
