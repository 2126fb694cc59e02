"""The knowledge graph: typed nodes with optional embeddings, and weighted typed edges."""

from __future__ import annotations

import uuid
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Float,
    ForeignKeyConstraint,
    Index,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, SoftDeleteMixin, TenantMixin, VersionedMixin

EMBEDDING_DIMENSIONS = 384


class KnowledgeNode(TenantMixin, VersionedMixin, SoftDeleteMixin, Base):
    __tablename__ = "knowledge_nodes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "source_document_id"],
            ["documents.organization_id", "documents.id"],
            ondelete="SET NULL (source_document_id)",
        ),
        Index("ix_knowledge_nodes_source_document", "organization_id", "source_document_id"),
        Index("ix_knowledge_nodes_type", "organization_id", "node_type"),
        Index("ix_knowledge_nodes_created", "organization_id", "created_at", "id"),
        Index("ix_knowledge_nodes_label", "organization_id", "label", "id"),
        Index(
            "ix_knowledge_nodes_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
        CheckConstraint("length(trim(label)) > 0", name="label_not_blank"),
        CheckConstraint("length(trim(node_type)) > 0", name="node_type_not_blank"),
        CheckConstraint("jsonb_typeof(properties) = 'object'", name="properties_is_object"),
    )

    label: Mapped[str] = mapped_column(String(300), nullable=False)
    node_type: Mapped[str] = mapped_column(String(64), nullable=False)
    properties: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    # Large (384 floats): never loaded with the row; similarity search reads it inside SQL
    # and `embedding_of` when a caller really needs the numbers.
    embedding: Mapped[list[float] | None] = mapped_column(
        Vector(EMBEDDING_DIMENSIONS), deferred=True, deferred_raiseload=True
    )
    has_embedding: Mapped[bool] = mapped_column(
        Boolean, Computed("embedding IS NOT NULL", persisted=True), nullable=False
    )
    source_document_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class KnowledgeEdge(TenantMixin, VersionedMixin, SoftDeleteMixin, Base):
    __tablename__ = "knowledge_edges"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "source_id"],
            ["knowledge_nodes.organization_id", "knowledge_nodes.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "target_id"],
            ["knowledge_nodes.organization_id", "knowledge_nodes.id"],
            ondelete="CASCADE",
        ),
        Index(
            "uq_knowledge_edges_source_target_type",
            "organization_id",
            "source_id",
            "target_id",
            "edge_type",
            unique=True,
            info={"field": "edge_type"},
        ),
        Index("ix_knowledge_edges_target", "organization_id", "target_id", "edge_type"),
        Index("ix_knowledge_edges_created", "organization_id", "created_at", "id"),
        CheckConstraint("source_id <> target_id", name="no_self_loop"),
        CheckConstraint("weight >= 0 AND weight <= 1", name="weight_in_unit_interval"),
        CheckConstraint("length(trim(edge_type)) > 0", name="edge_type_not_blank"),
        CheckConstraint("jsonb_typeof(properties) = 'object'", name="properties_is_object"),
    )

    source_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    target_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    edge_type: Mapped[str] = mapped_column(String(64), nullable=False)
    weight: Mapped[float] = mapped_column(Float, nullable=False, server_default="1")
    properties: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
