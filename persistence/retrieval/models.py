"""Retrieval history: one row per `searchDocuments` / `similarNodes` call, feedback on its
hits, and the rollups (per day, per block of days) the insights read.

History rows are written after the fact by a background writer (`graph/retrieval/recorder.py`),
never in the request's transaction. The rollups are kept by the same writer in the same
transaction as the rows, so insights over a long range read thousands of rollup rows
instead of millions of history rows (docs/decisions.md, "Retrieval history").
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    REAL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Double,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, TenantMixin

SEARCH = "search"
SIMILAR = "similar"
ROLLUP_TEXT_LENGTH = 200
"""Top and zero-hit queries group the query text lowered, trimmed and cut to this length."""
DURATION_BUCKETS_PER_MS = 10
"""Durations are rolled up in tenths of a millisecond: the percentiles' resolution."""
ROLLUP_SPANS = tuple(2**k for k in range(9))
"""Every call is counted in one block of each span (days, 1 to 256), aligned on multiples
of the span since 1970-01-01: any range of days is a union of a few such blocks."""
EPOCH = date(1970, 1, 1)


class RetrievalQuery(TenantMixin, Base):
    """One retrieval call: what was asked, what came back (in rank order) and for whom.

    A log written after the fact: besides the organization it has no foreign keys (a user,
    key or node purged before the writer runs must not fail the batch). The writer keeps
    only a `conversation_id` that exists in the organization."""

    __tablename__ = "retrieval_queries"
    __table_args__ = (
        CheckConstraint(f"kind IN ('{SEARCH}', '{SIMILAR}')", name="known_kind"),
        CheckConstraint("hit_count = cardinality(hit_ids)", name="hit_count_matches"),
        CheckConstraint("cardinality(hit_scores) = cardinality(hit_ids)", name="one_score_a_hit"),
        Index("ix_retrieval_queries_created", "organization_id", "created_at", "id"),
        Index("ix_retrieval_queries_user_recent", "organization_id", "user_id", "created_at", "id"),
        Index("ix_retrieval_queries_conversation", "organization_id", "conversation_id"),
        ForeignKeyConstraint(
            ["organization_id", "conversation_id"],
            ["conversations.organization_id", "conversations.id"],
            ondelete="SET NULL (conversation_id)",
        ),
    )

    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    query_text: Mapped[str | None] = mapped_column(Text)
    """The search text; null for a similarity search."""
    source_node_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    """The node a similarity search started from; null when it was given a vector."""
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    hit_count: Mapped[int] = mapped_column(Integer, nullable=False)
    hit_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), nullable=False)
    """Documents (search) or knowledge nodes (similar), best first: rank = position."""
    hit_scores: Mapped[list[float]] = mapped_column(ARRAY(Double), nullable=False)
    """Relevance (search, higher is better) or cosine distance (similar, lower is better)."""
    duration_ms: Mapped[float] = mapped_column(REAL, nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class RetrievalFeedback(TenantMixin, Base):
    """Whether a returned document was useful for a query; one verdict per hit, the last
    one given wins."""

    __tablename__ = "retrieval_feedback"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "query_id"],
            ["retrieval_queries.organization_id", "retrieval_queries.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "document_id"],
            ["documents.organization_id", "documents.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "user_id"],
            ["users.organization_id", "users.id"],
            ondelete="SET NULL (user_id)",
        ),
        UniqueConstraint("organization_id", "query_id", "document_id"),
        Index("ix_retrieval_feedback_document_id", "organization_id", "document_id"),
    )

    query_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    document_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    useful: Mapped[bool] = mapped_column(Boolean, nullable=False)


class RetrievalDailyCalls(TenantMixin, Base):
    """Calls per day: queries per day, and the days a range really spans."""

    __tablename__ = "retrieval_daily_calls"
    __table_args__ = (UniqueConstraint("organization_id", "day"),)

    day: Mapped[date] = mapped_column(Date, nullable=False)
    queries: Mapped[int] = mapped_column(BigInteger, nullable=False)
    zero_hit_queries: Mapped[int] = mapped_column(BigInteger, nullable=False)


class RetrievalDailyDuration(TenantMixin, Base):
    """Calls per block of days and duration (in tenths of a millisecond): the duration
    percentiles."""

    __tablename__ = "retrieval_daily_durations"
    __table_args__ = (UniqueConstraint("organization_id", "days", "day", "duration_bucket"),)

    days: Mapped[int] = mapped_column(Integer, nullable=False)
    """The block's span (one of `ROLLUP_SPANS`); `day` is its first day."""
    day: Mapped[date] = mapped_column(Date, nullable=False)
    duration_bucket: Mapped[int] = mapped_column(Integer, nullable=False)
    queries: Mapped[int] = mapped_column(BigInteger, nullable=False)


class RetrievalDailyText(TenantMixin, Base):
    """Searches per block of days and normalised text: top queries and zero-hit queries."""

    __tablename__ = "retrieval_daily_texts"
    __table_args__ = (UniqueConstraint("organization_id", "days", "day", "text"),)

    days: Mapped[int] = mapped_column(Integer, nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    text: Mapped[str] = mapped_column(String(ROLLUP_TEXT_LENGTH), nullable=False)
    queries: Mapped[int] = mapped_column(BigInteger, nullable=False)
    zero_hit_queries: Mapped[int] = mapped_column(BigInteger, nullable=False)


class RetrievalDailyDocument(TenantMixin, Base):
    """How often each document was returned per block of days: most cited and never
    returned."""

    __tablename__ = "retrieval_daily_documents"
    __table_args__ = (
        UniqueConstraint("organization_id", "days", "day", "document_id"),
        Index(
            "ix_retrieval_daily_documents_document", "organization_id", "document_id", "days", "day"
        ),
    )

    days: Mapped[int] = mapped_column(Integer, nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    document_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    returned: Mapped[int] = mapped_column(BigInteger, nullable=False)


def block_start(day: date, days: int) -> date:
    """The first day of the block of `days` days that holds `day`."""
    return day - timedelta(days=(day - EPOCH).days % days)


def blocks(first: date, last: date) -> list[tuple[int, date]]:
    """The fewest aligned blocks (span, first day) that exactly cover first..last: at most
    two of each span, so a year is ~16 blocks instead of 366 days."""
    covered: list[tuple[int, date]] = []
    day, end = first, last + timedelta(days=1)
    while day < end:
        span = next(
            s
            for s in reversed(ROLLUP_SPANS)
            if block_start(day, s) == day and day + timedelta(days=s) <= end
        )
        covered.append((span, day))
        day += timedelta(days=span)
    return covered


def rollup_text(query_text: str) -> str:
    """How a search's text is grouped in the rollup (and shown in the insights)."""
    return " ".join(query_text.lower().split())[:ROLLUP_TEXT_LENGTH]


def duration_bucket(duration_ms: float) -> int:
    return round(duration_ms * DURATION_BUCKETS_PER_MS)
