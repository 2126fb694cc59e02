"""Conversations, their participants, messages and the citations of answers."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, SoftDeleteMixin, TenantMixin, VersionedMixin
from persistence.collection.models import Visibility


class MessageRole(enum.StrEnum):
    USER = "USER"
    ASSISTANT = "ASSISTANT"
    SYSTEM = "SYSTEM"


def _fk(columns: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    """An organization-led foreign key: a row can never point into another organization."""
    return ForeignKeyConstraint(
        ["organization_id", columns],
        [f"{table}.organization_id", f"{table}.id"],
        ondelete=ondelete,
    )


class Conversation(TenantMixin, VersionedMixin, SoftDeleteMixin, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        _fk("owner_id", "users"),
        _fk("context_collection_id", "collections", "SET NULL (context_collection_id)"),
        _fk("context_document_id", "documents", "SET NULL (context_document_id)"),
        _fk("context_node_id", "knowledge_nodes", "SET NULL (context_node_id)"),
        Index("ix_conversations_last_activity", "organization_id", "last_activity_at", "id"),
        Index("ix_conversations_created", "organization_id", "created_at", "id"),
        Index("ix_conversations_title", "organization_id", "title", "id"),
        Index("ix_conversations_owner", "organization_id", "owner_id"),
        Index("ix_conversations_context_collection", "organization_id", "context_collection_id"),
        Index("ix_conversations_context_document", "organization_id", "context_document_id"),
        Index("ix_conversations_context_node", "organization_id", "context_node_id"),
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint(
            "num_nonnulls(context_collection_id, context_document_id, context_node_id) <= 1",
            name="one_context",
        ),
        CheckConstraint("message_count >= 0", name="message_count_non_negative"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, name="visibility", create_type=False),
        nullable=False,
        server_default=Visibility.PRIVATE,
    )
    context_collection_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    context_document_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    context_node_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    last_activity_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    # Positions handed out so far: a post takes the next one under the row's lock.
    message_count: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")


class ConversationParticipant(TenantMixin, Base):
    __tablename__ = "conversation_participants"
    __table_args__ = (
        _fk("conversation_id", "conversations", "CASCADE"),
        _fk("user_id", "users", "CASCADE"),
        Index(
            "uq_conversation_participants_pair",
            "organization_id",
            "conversation_id",
            "user_id",
            unique=True,
            info={"field": "user_ids"},
        ),
        Index("ix_conversation_participants_user", "organization_id", "user_id", "conversation_id"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)


class Message(TenantMixin, VersionedMixin, SoftDeleteMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        _fk("conversation_id", "conversations", "CASCADE"),
        _fk("author_user_id", "users"),
        _fk("author_api_key_id", "api_keys"),
        # the keyset of `Conversation.messages`, both ways: a page is one index range
        Index(
            "uq_messages_position",
            "organization_id",
            "conversation_id",
            "position",
            unique=True,
        ),
        Index("ix_messages_author_user", "organization_id", "author_user_id"),
        Index("ix_messages_author_api_key", "organization_id", "author_api_key_id"),
        CheckConstraint("num_nonnulls(author_user_id, author_api_key_id) = 1", name="one_author"),
        CheckConstraint("(body IS NULL) = (deleted_at IS NOT NULL)", name="tombstone_has_no_body"),
        CheckConstraint("position > 0", name="position_positive"),
        CheckConstraint(
            "prompt_tokens IS NULL OR prompt_tokens >= 0", name="prompt_tokens_non_negative"
        ),
        CheckConstraint(
            "completion_tokens IS NULL OR completion_tokens >= 0",
            name="completion_tokens_non_negative",
        ),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    position: Mapped[int] = mapped_column(BigInteger, nullable=False)
    role: Mapped[MessageRole] = mapped_column(
        Enum(MessageRole, name="message_role"), nullable=False
    )
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    author_api_key_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    body: Mapped[str | None] = mapped_column(Text)
    prompt_tokens: Mapped[int | None] = mapped_column(Integer)
    completion_tokens: Mapped[int | None] = mapped_column(Integer)
    model_name: Mapped[str | None] = mapped_column(String(200))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Citation(TenantMixin, Base):
    """A source an answer relied on: a document (optionally a span of it or one of its
    annotations) or a knowledge node, with its rank among the message's citations."""

    __tablename__ = "message_citations"
    __table_args__ = (
        _fk("message_id", "messages", "CASCADE"),
        _fk("document_id", "documents", "CASCADE"),
        _fk("annotation_id", "annotations", "CASCADE"),
        _fk("knowledge_node_id", "knowledge_nodes", "CASCADE"),
        Index(
            "uq_message_citations_rank",
            "organization_id",
            "message_id",
            "rank",
            unique=True,
            info={"field": "citations"},
        ),
        Index("ix_message_citations_document", "organization_id", "document_id"),
        Index("ix_message_citations_annotation", "organization_id", "annotation_id"),
        Index("ix_message_citations_node", "organization_id", "knowledge_node_id"),
        CheckConstraint("num_nonnulls(document_id, knowledge_node_id) = 1", name="one_source"),
        CheckConstraint("annotation_id IS NULL OR document_id IS NOT NULL", name="annotation_of"),
        CheckConstraint(
            "(span_start IS NULL) = (span_end IS NULL)"
            " AND (span_start IS NULL OR (document_id IS NOT NULL"
            " AND span_start >= 0 AND span_start <= span_end))",
            name="span_in_document",
        ),
        CheckConstraint("rank > 0", name="rank_positive"),
    )

    message_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    rank: Mapped[int] = mapped_column(Integer, nullable=False)
    document_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    annotation_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    span_start: Mapped[int | None] = mapped_column(Integer)
    span_end: Mapped[int | None] = mapped_column(Integer)
    knowledge_node_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
