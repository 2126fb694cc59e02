"""Retrieval history: every search and similarity call, feedback on its hits, and the
per-day rollups that keep the insights fast over millions of calls.

Row-level security and the app's GRANTs as on every tenant table. The rollups count each
call once per span of days (1, 2, 4 … 256, aligned blocks), so a range reads a few blocks
instead of every day. The writer finds the organizations whose history may have expired
through `khub_retrieval_organizations()`, which reads only the (small) calls-per-day rollup: the app's role sees one organization at a time.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"
TABLES = (
    "retrieval_queries",
    "retrieval_feedback",
    "retrieval_daily_calls",
    "retrieval_daily_durations",
    "retrieval_daily_texts",
    "retrieval_daily_documents",
)
UUID = postgresql.UUID(as_uuid=True)


def _keys(table: str) -> list[Any]:
    """The columns and keys every tenant table starts with."""
    return [
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "retrieval_queries",
        *_keys("retrieval_queries"),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("query_text", sa.Text(), nullable=True),
        sa.Column("source_node_id", UUID, nullable=True),
        sa.Column(
            "filters", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("hit_count", sa.Integer(), nullable=False),
        sa.Column("hit_ids", postgresql.ARRAY(UUID), nullable=False),
        sa.Column("hit_scores", postgresql.ARRAY(sa.Double()), nullable=False),
        sa.Column("duration_ms", sa.REAL(), nullable=False),
        sa.Column("user_id", UUID, nullable=True),
        sa.Column("api_key_id", UUID, nullable=True),
        sa.Column("conversation_id", UUID, nullable=True),
        sa.CheckConstraint(
            "kind IN ('search', 'similar')", name=op.f("ck_retrieval_queries_known_kind")
        ),
        sa.CheckConstraint(
            "hit_count = cardinality(hit_ids)", name=op.f("ck_retrieval_queries_hit_count_matches")
        ),
        sa.CheckConstraint(
            "cardinality(hit_scores) = cardinality(hit_ids)",
            name=op.f("ck_retrieval_queries_one_score_a_hit"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "conversation_id"],
            ["conversations.organization_id", "conversations.id"],
            name=op.f("fk_retrieval_queries_organization_id_conversation_id_conversations"),
            ondelete="SET NULL (conversation_id)",
        ),
    )
    op.create_index(
        "ix_retrieval_queries_created",
        "retrieval_queries",
        ["organization_id", "created_at", "id"],
    )
    op.create_index(
        "ix_retrieval_queries_user_recent",
        "retrieval_queries",
        ["organization_id", "user_id", "created_at", "id"],
    )
    op.create_index(
        "ix_retrieval_queries_conversation",
        "retrieval_queries",
        ["organization_id", "conversation_id"],
    )
    op.create_table(
        "retrieval_feedback",
        *_keys("retrieval_feedback"),
        sa.Column("query_id", UUID, nullable=False),
        sa.Column("document_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=True),
        sa.Column("useful", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id", "query_id"],
            ["retrieval_queries.organization_id", "retrieval_queries.id"],
            name=op.f("fk_retrieval_feedback_organization_id_query_id_retrieval_queries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "document_id"],
            ["documents.organization_id", "documents.id"],
            name=op.f("fk_retrieval_feedback_organization_id_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "user_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_retrieval_feedback_organization_id_user_id_users"),
            ondelete="SET NULL (user_id)",
        ),
        sa.UniqueConstraint(
            "organization_id",
            "query_id",
            "document_id",
            name=op.f("uq_retrieval_feedback_organization_id_query_id_document_id"),
        ),
    )
    op.create_index(
        "ix_retrieval_feedback_document_id",
        "retrieval_feedback",
        ["organization_id", "document_id"],
    )
    op.create_table(
        "retrieval_daily_calls",
        *_keys("retrieval_daily_calls"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("queries", sa.BigInteger(), nullable=False),
        sa.Column("zero_hit_queries", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint(
            "organization_id", "day", name=op.f("uq_retrieval_daily_calls_organization_id_day")
        ),
    )
    op.create_table(
        "retrieval_daily_durations",
        *_keys("retrieval_daily_durations"),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("duration_bucket", sa.Integer(), nullable=False),
        sa.Column("queries", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint(
            "organization_id",
            "days",
            "day",
            "duration_bucket",
            name=op.f("uq_retrieval_daily_durations_organization_id_days_day_duration_bucket"),
        ),
    )
    op.create_table(
        "retrieval_daily_texts",
        *_keys("retrieval_daily_texts"),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("queries", sa.BigInteger(), nullable=False),
        sa.Column("zero_hit_queries", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint(
            "organization_id",
            "days",
            "day",
            "text",
            name=op.f("uq_retrieval_daily_texts_organization_id_days_day_text"),
        ),
    )
    op.create_table(
        "retrieval_daily_documents",
        *_keys("retrieval_daily_documents"),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("document_id", UUID, nullable=False),
        sa.Column("returned", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint(
            "organization_id",
            "days",
            "day",
            "document_id",
            name=op.f("uq_retrieval_daily_documents_organization_id_days_day_document_id"),
        ),
    )
    op.create_index(
        "ix_retrieval_daily_documents_document",
        "retrieval_daily_documents",
        ["organization_id", "document_id", "days", "day"],
    )
    for table in TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} TO {APP_ROLE}"
            f" USING (organization_id = {CURRENT_ORGANIZATION})"
            f" WITH CHECK (organization_id = {CURRENT_ORGANIZATION})"
        )
    op.execute(
        "CREATE FUNCTION khub_retrieval_organizations() RETURNS SETOF uuid"
        " LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
        " AS $$ SELECT DISTINCT organization_id FROM public.retrieval_daily_calls $$"
    )
    op.execute("REVOKE ALL ON FUNCTION khub_retrieval_organizations() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION khub_retrieval_organizations() TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS khub_retrieval_organizations()")
    for table in reversed(TABLES):
        op.drop_table(table)
