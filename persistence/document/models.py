"""Documents with a generated full-text vector, their tags and annotations."""

from __future__ import annotations

import enum
import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Computed,
    Enum,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR, UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, SoftDeleteMixin, TenantMixin, VersionedMixin
from persistence.collection.models import Visibility


class DocumentStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


# The title (weight A) and the content (B), or as much of the content's head as fits the
# 1 MB tsvector limit: a SQL function of migration 0009.
SEARCH_VECTOR_SQL = "document_search_vector(title, content)"


class Document(TenantMixin, VersionedMixin, SoftDeleteMixin, Base):
    __tablename__ = "documents"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "collection_id"],
            ["collections.organization_id", "collections.id"],
            ondelete="SET NULL (collection_id)",
        ),
        ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["users.organization_id", "users.id"],
            # NO ACTION (the default): checked at the end of the statement, so purging a
            # user is refused while they own rows, yet a whole organization can be deleted.
        ),
        Index("ix_documents_collection", "organization_id", "collection_id", "title", "id"),
        Index("ix_documents_owner", "organization_id", "owner_id", "created_at", "id"),
        # keyset pagination keys of the document lists: (sort key, id) within the organization
        Index("ix_documents_created", "organization_id", "created_at", "id"),
        Index("ix_documents_updated", "organization_id", "updated_at", "id"),
        Index("ix_documents_title", "organization_id", "title", "id"),
        Index("ix_documents_search_vector", "search_vector", postgresql_using="gin"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("jsonb_typeof(metadata) = 'object'", name="metadata_is_object"),
    )

    collection_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    content_type: Mapped[str] = mapped_column(
        String(100), nullable=False, server_default="text/markdown"
    )
    status: Mapped[DocumentStatus] = mapped_column(
        Enum(DocumentStatus, name="document_status"),
        nullable=False,
        server_default=DocumentStatus.DRAFT,
    )
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, name="visibility", create_type=False),
        nullable=False,
        server_default=Visibility.ORGANIZATION,
    )
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    # Only search reads it, inside SQL: never loaded into Python (raises if touched there).
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR,
        Computed(SEARCH_VECTOR_SQL, persisted=True),
        nullable=False,
        deferred=True,
        deferred_raiseload=True,
    )


class Tag(TenantMixin, Base):
    __tablename__ = "tags"
    __table_args__ = (
        Index(
            "uq_tags_organization_id_name",
            "organization_id",
            text("lower(name)"),
            unique=True,
            info={"field": "name"},
        ),
        Index("ix_tags_name", "organization_id", "name", "id"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    name: Mapped[str] = mapped_column(String(100), nullable=False)


class DocumentTag(TenantMixin, Base):
    """A tag on a document; unique per pair."""

    __tablename__ = "document_tags"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "document_id"],
            ["documents.organization_id", "documents.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "tag_id"], ["tags.organization_id", "tags.id"], ondelete="CASCADE"
        ),
        Index(
            "uq_document_tags_document_tag",
            "organization_id",
            "document_id",
            "tag_id",
            unique=True,
            info={"field": "tag_id"},
        ),
        Index("ix_document_tags_tag", "organization_id", "tag_id"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    tag_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)


class Annotation(TenantMixin, VersionedMixin, Base):
    __tablename__ = "annotations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "document_id"],
            ["documents.organization_id", "documents.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "author_id"],
            ["users.organization_id", "users.id"],
            # NO ACTION (the default): checked at the end of the statement, so purging a
            # user is refused while they own rows, yet a whole organization can be deleted.
        ),
        Index("ix_annotations_document", "organization_id", "document_id"),
        Index("ix_annotations_author", "organization_id", "author_id"),
        CheckConstraint("start_offset >= 0", name="start_offset_non_negative"),
        CheckConstraint("start_offset <= end_offset", name="start_before_end"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    author_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    start_offset: Mapped[int] = mapped_column(Integer, nullable=False)
    end_offset: Mapped[int] = mapped_column(Integer, nullable=False)
    quote: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    body: Mapped[str] = mapped_column(Text, nullable=False)
