"""Resources: external material (videos, datasets, web pages …) linked to documents and
knowledge nodes."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import (
    CheckConstraint,
    Enum,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, SoftDeleteMixin, TenantMixin, VersionedMixin

URL_MAX = 2048
"""The longest URL kept: what browsers and most servers still handle."""


class ResourceKind(enum.StrEnum):
    VIDEO = "VIDEO"
    AUDIO = "AUDIO"
    IMAGE = "IMAGE"
    DATASET = "DATASET"
    WEB_PAGE = "WEB_PAGE"
    OTHER = "OTHER"


class Resource(TenantMixin, VersionedMixin, SoftDeleteMixin, Base):
    __tablename__ = "resources"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["users.organization_id", "users.id"],
            # NO ACTION (the default): checked at the end of the statement, so purging a
            # user is refused while they own rows, yet a whole organization can be deleted.
        ),
        Index("ix_resources_owner", "organization_id", "owner_id"),
        # keyset pagination keys of the resource list: (sort key, id) within the organization
        Index("ix_resources_created", "organization_id", "created_at", "id"),
        Index("ix_resources_title", "organization_id", "title", "id"),
        Index("ix_resources_quality", "organization_id", "quality_score", "id"),
        Index("ix_resources_usage", "organization_id", "usage_count", "id"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("url ~ '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#[:space:]]'", name="url_is_http"),
        CheckConstraint("quality_score >= 0 AND quality_score <= 1", name="quality_in_unit"),
        CheckConstraint("usage_count >= 0", name="usage_count_non_negative"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    url: Mapped[str] = mapped_column(String(URL_MAX), nullable=False)
    kind: Mapped[ResourceKind] = mapped_column(
        Enum(ResourceKind, name="resource_kind"), nullable=False
    )
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    quality_score: Mapped[float] = mapped_column(Float, nullable=False, server_default="0.5")
    usage_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")


class ResourceDocument(TenantMixin, Base):
    """A resource linked to a document; unique per pair. Gone with either side's purge."""

    __tablename__ = "resource_documents"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "resource_id"],
            ["resources.organization_id", "resources.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "document_id"],
            ["documents.organization_id", "documents.id"],
            ondelete="CASCADE",
        ),
        Index(
            "uq_resource_documents_pair",
            "organization_id",
            "resource_id",
            "document_id",
            unique=True,
            info={"field": "document_id"},
        ),
        Index("ix_resource_documents_document", "organization_id", "document_id"),
    )

    resource_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    document_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)


class ResourceNode(TenantMixin, Base):
    """A resource linked to a knowledge node; unique per pair."""

    __tablename__ = "resource_knowledge_nodes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "resource_id"],
            ["resources.organization_id", "resources.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "node_id"],
            ["knowledge_nodes.organization_id", "knowledge_nodes.id"],
            ondelete="CASCADE",
        ),
        Index(
            "uq_resource_knowledge_nodes_pair",
            "organization_id",
            "resource_id",
            "node_id",
            unique=True,
            info={"field": "node_id"},
        ),
        Index("ix_resource_knowledge_nodes_node", "organization_id", "node_id"),
    )

    resource_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    node_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
