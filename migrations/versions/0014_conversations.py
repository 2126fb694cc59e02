"""Conversations and messages: the hub as the store behind a chat frontend.

Four tenant tables with organization-led keys, so a citation into another organization is
refused by the foreign keys themselves. `messages` is read by keyset on
`(organization_id, conversation_id, position)`: a page of a 10,000-message conversation is
one index range. Row-level security and the app role's grants as on every tenant table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"
TABLES = ("conversations", "conversation_participants", "messages", "message_citations")
UUID = postgresql.UUID(as_uuid=True)


def _base() -> list[sa.Column]:
    return [
        sa.Column("organization_id", UUID, nullable=False),
        sa.Column("id", UUID, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def _tenant(table: str) -> list[Any]:
    return [
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f(f"pk_{table}")),
    ]


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> Any:
    return sa.ForeignKeyConstraint(
        ["organization_id", column],
        [f"{target}.organization_id", f"{target}.id"],
        name=op.f(f"fk_{table}_organization_id_{column}_{target}"),
        ondelete=ondelete,
    )


def _check(table: str, name: str, sql: str) -> Any:
    return sa.CheckConstraint(sql, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    message_role = postgresql.ENUM("USER", "ASSISTANT", "SYSTEM", name="message_role")
    visibility = postgresql.ENUM("PRIVATE", "ORGANIZATION", name="visibility", create_type=False)
    t = "conversations"
    op.create_table(
        t,
        *_base(),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_id", UUID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("visibility", visibility, server_default="PRIVATE", nullable=False),
        sa.Column("context_collection_id", UUID, nullable=True),
        sa.Column("context_document_id", UUID, nullable=True),
        sa.Column("context_node_id", UUID, nullable=True),
        sa.Column("archived", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "last_activity_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("message_count", sa.BigInteger(), server_default="0", nullable=False),
        *_tenant(t),
        _fk(t, "owner_id", "users"),
        _fk(t, "context_collection_id", "collections", "SET NULL (context_collection_id)"),
        _fk(t, "context_document_id", "documents", "SET NULL (context_document_id)"),
        _fk(t, "context_node_id", "knowledge_nodes", "SET NULL (context_node_id)"),
        _check(t, "title_not_blank", "length(trim(title)) > 0"),
        _check(
            t,
            "one_context",
            "num_nonnulls(context_collection_id, context_document_id, context_node_id) <= 1",
        ),
        _check(t, "message_count_non_negative", "message_count >= 0"),
    )
    for name, columns in (
        ("last_activity", ["last_activity_at", "id"]),
        ("created", ["created_at", "id"]),
        ("title", ["title", "id"]),
        ("owner", ["owner_id"]),
        ("context_collection", ["context_collection_id"]),
        ("context_document", ["context_document_id"]),
        ("context_node", ["context_node_id"]),
    ):
        op.create_index(f"ix_{t}_{name}", t, ["organization_id", *columns])

    t = "conversation_participants"
    op.create_table(
        t,
        *_base(),
        sa.Column("conversation_id", UUID, nullable=False),
        sa.Column("user_id", UUID, nullable=False),
        *_tenant(t),
        _fk(t, "conversation_id", "conversations", "CASCADE"),
        _fk(t, "user_id", "users", "CASCADE"),
    )
    op.create_index(
        f"uq_{t}_pair", t, ["organization_id", "conversation_id", "user_id"], unique=True
    )
    op.create_index(f"ix_{t}_user", t, ["organization_id", "user_id", "conversation_id"])

    t = "messages"
    op.create_table(
        t,
        *_base(),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("conversation_id", UUID, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("role", message_role, nullable=False),
        sa.Column("author_user_id", UUID, nullable=True),
        sa.Column("author_api_key_id", UUID, nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("model_name", sa.String(length=200), nullable=True),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        *_tenant(t),
        _fk(t, "conversation_id", "conversations", "CASCADE"),
        _fk(t, "author_user_id", "users"),
        _fk(t, "author_api_key_id", "api_keys"),
        _check(t, "one_author", "num_nonnulls(author_user_id, author_api_key_id) = 1"),
        _check(t, "tombstone_has_no_body", "(body IS NULL) = (deleted_at IS NOT NULL)"),
        _check(t, "position_positive", "position > 0"),
        _check(t, "prompt_tokens_non_negative", "prompt_tokens IS NULL OR prompt_tokens >= 0"),
        _check(
            t,
            "completion_tokens_non_negative",
            "completion_tokens IS NULL OR completion_tokens >= 0",
        ),
    )
    op.create_index(
        f"uq_{t}_position", t, ["organization_id", "conversation_id", "position"], unique=True
    )
    op.create_index(f"ix_{t}_author_user", t, ["organization_id", "author_user_id"])
    op.create_index(f"ix_{t}_author_api_key", t, ["organization_id", "author_api_key_id"])

    t = "message_citations"
    op.create_table(
        t,
        *_base(),
        sa.Column("message_id", UUID, nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("document_id", UUID, nullable=True),
        sa.Column("annotation_id", UUID, nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("knowledge_node_id", UUID, nullable=True),
        *_tenant(t),
        _fk(t, "message_id", "messages", "CASCADE"),
        _fk(t, "document_id", "documents", "CASCADE"),
        _fk(t, "annotation_id", "annotations", "CASCADE"),
        _fk(t, "knowledge_node_id", "knowledge_nodes", "CASCADE"),
        _check(t, "one_source", "num_nonnulls(document_id, knowledge_node_id) = 1"),
        _check(t, "annotation_of", "annotation_id IS NULL OR document_id IS NOT NULL"),
        _check(
            t,
            "span_in_document",
            "(span_start IS NULL) = (span_end IS NULL)"
            " AND (span_start IS NULL OR (document_id IS NOT NULL"
            " AND span_start >= 0 AND span_start <= span_end))",
        ),
        _check(t, "rank_positive", "rank > 0"),
    )
    op.create_index(f"uq_{t}_rank", t, ["organization_id", "message_id", "rank"], unique=True)
    op.create_index(f"ix_{t}_document", t, ["organization_id", "document_id"])
    op.create_index(f"ix_{t}_annotation", t, ["organization_id", "annotation_id"])
    op.create_index(f"ix_{t}_node", t, ["organization_id", "knowledge_node_id"])

    for table in TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} TO {APP_ROLE}"
            f" USING (organization_id = {CURRENT_ORGANIZATION})"
            f" WITH CHECK (organization_id = {CURRENT_ORGANIZATION})"
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute("DROP TYPE IF EXISTS message_role")
