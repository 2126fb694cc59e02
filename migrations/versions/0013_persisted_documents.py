"""Persisted documents: Automatic Persisted Queries and trusted documents, shared by every
server instance.

The app's role reads the table and may insert rows, but only their id and text: it has no
privilege on `kind`, whose default is `apq`, so only the owner (`khub documents push`) can
add a trusted document, the kind trusted-documents mode runs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"


def upgrade() -> None:
    op.create_table(
        "persisted_documents",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("document_id", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), server_default="apq", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "kind IN ('apq', 'trusted')", name=op.f("ck_persisted_documents_known_kind")
        ),
        sa.CheckConstraint("document_id <> ''", name=op.f("ck_persisted_documents_has_an_id")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persisted_documents")),
        sa.UniqueConstraint("document_id", name=op.f("uq_persisted_documents_document_id")),
    )
    op.execute(f"GRANT SELECT ON persisted_documents TO {APP_ROLE}")
    op.execute(f"GRANT INSERT (id, document_id, body) ON persisted_documents TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_table("persisted_documents")
