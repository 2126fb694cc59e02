"""Knowledge graph nodes (with validated embeddings) and weighted, typed edges."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import any_, func

from persistence.errors import ValidationError
from persistence.knowledge.models import EMBEDDING_DIMENSIONS, KnowledgeEdge, KnowledgeNode
from persistence.repository import Repository, uuid_array


def check_embedding(embedding: Sequence[float] | None) -> list[float] | None:
    """An embedding of the right dimension with only finite numbers, or a ValidationError."""
    if embedding is None:
        return None
    values = list(embedding)
    if len(values) != EMBEDDING_DIMENSIONS:
        raise ValidationError(
            "embedding", f"embedding must have {EMBEDDING_DIMENSIONS} dimensions, not {len(values)}"
        )
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        raise ValidationError("embedding", "embedding values must be finite numbers")
    return [float(v) for v in values]


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
        if filter.search:
            clauses.append(func.lower(KnowledgeNode.label).like(f"%{filter.search.lower()}%"))
        return clauses

    def _new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        if "embedding" in values:
            values["embedding"] = check_embedding(values["embedding"])
        return super()._new_row(values)

    async def update(
        self, id: uuid.UUID, *, expected_version: int | None, **changes: Any
    ) -> KnowledgeNode:
        if "embedding" in changes:
            changes["embedding"] = check_embedding(changes["embedding"])
        return await super().update(id, expected_version=expected_version, **changes)


class KnowledgeEdgeRepository(Repository[KnowledgeEdge]):
    model = KnowledgeEdge
    entity = "knowledge edge"
    sort_keys = {
        "created_at": KnowledgeEdge.created_at,
        "weight": KnowledgeEdge.weight,
    }

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
        end = KnowledgeEdge.source_id if outgoing else KnowledgeEdge.target_id
        stmt = (
            self.select()
            .where(end == any_(uuid_array("ids", node_ids)))
            .order_by(KnowledgeEdge.weight.desc(), KnowledgeEdge.id)
        )
        found: dict[uuid.UUID, list[KnowledgeEdge]] = {i: [] for i in node_ids}
        for edge in (await self.session.scalars(stmt)).all():
            found[edge.source_id if outgoing else edge.target_id].append(edge)
        return found
