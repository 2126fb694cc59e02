"""Resources (with their links to documents and knowledge nodes) and organization settings.

Every new table is a tenant table: keyed `(organization_id, id)`, its foreign keys led by the
organization, granted to the app's role and held by the `tenant_isolation` policy of
migration 0002. `organization_settings` has at most one row per organization (a missing row
means the defaults).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 19:06:28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"
TENANT_TABLES = (
    "organization_settings",
    "resources",
    "resource_documents",
    "resource_knowledge_nodes",
)


def upgrade() -> None:
    op.create_table(
        "organization_settings",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column(
            "default_document_visibility",
            postgresql.ENUM("PRIVATE", "ORGANIZATION", name="visibility", create_type=False),
            server_default="ORGANIZATION",
            nullable=False,
        ),
        sa.Column("deleted_retention_days", sa.Integer(), server_default="30", nullable=False),
        sa.Column("retrieval_retention_days", sa.Integer(), server_default="90", nullable=False),
        sa.Column("session_lifetime_seconds", sa.Integer(), nullable=True),
        sa.Column("login_max_failures", sa.Integer(), nullable=True),
        sa.Column("login_account_max_failures", sa.Integer(), nullable=True),
        sa.Column(
            "two_factor_roles",
            sa.ARRAY(sa.String(length=16)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "two_factor_roles <@ ARRAY['ADMIN', 'EDITOR', 'VIEWER']::varchar[]",
            name=op.f("ck_organization_settings_two_factor_roles_known"),
        ),
        sa.CheckConstraint(
            "deleted_retention_days BETWEEN 1 AND 3650",
            name=op.f("ck_organization_settings_deleted_retention_days_in_range"),
        ),
        sa.CheckConstraint(
            "login_account_max_failures IS NULL OR login_account_max_failures BETWEEN 1 AND 10000",
            name=op.f("ck_organization_settings_login_account_max_failures_in_range"),
        ),
        sa.CheckConstraint(
            "login_max_failures IS NULL OR login_max_failures BETWEEN 1 AND 1000",
            name=op.f("ck_organization_settings_login_max_failures_in_range"),
        ),
        sa.CheckConstraint(
            "retrieval_retention_days BETWEEN 1 AND 3650",
            name=op.f("ck_organization_settings_retrieval_retention_days_in_range"),
        ),
        sa.CheckConstraint(
            "session_lifetime_seconds IS NULL OR session_lifetime_seconds BETWEEN 300 AND 7776000",
            name=op.f("ck_organization_settings_session_lifetime_seconds_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_settings_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_organization_settings")),
    )
    op.create_index(
        "uq_organization_settings_organization",
        "organization_settings",
        ["organization_id"],
        unique=True,
    )
    op.create_table(
        "resources",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("owner_id", sa.UUID(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "VIDEO", "AUDIO", "IMAGE", "DATASET", "WEB_PAGE", "OTHER", name="resource_kind"
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("quality_score", sa.Float(), server_default="0.5", nullable=False),
        sa.Column("usage_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "url ~ '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#[:space:]]'",
            name=op.f("ck_resources_url_is_http"),
        ),
        sa.CheckConstraint("length(trim(title)) > 0", name=op.f("ck_resources_title_not_blank")),
        sa.CheckConstraint(
            "quality_score >= 0 AND quality_score <= 1", name=op.f("ck_resources_quality_in_unit")
        ),
        sa.CheckConstraint("usage_count >= 0", name=op.f("ck_resources_usage_count_non_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_resources_organization_id_owner_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_resources_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_resources")),
    )
    op.create_index(
        "ix_resources_created", "resources", ["organization_id", "created_at", "id"], unique=False
    )
    op.create_index(
        "ix_resources_owner", "resources", ["organization_id", "owner_id"], unique=False
    )
    op.create_index(
        "ix_resources_quality",
        "resources",
        ["organization_id", "quality_score", "id"],
        unique=False,
    )
    op.create_index(
        "ix_resources_title", "resources", ["organization_id", "title", "id"], unique=False
    )
    op.create_index(
        "ix_resources_usage", "resources", ["organization_id", "usage_count", "id"], unique=False
    )
    op.create_table(
        "resource_documents",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), nullable=False),
        sa.Column("document_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "document_id"],
            ["documents.organization_id", "documents.id"],
            name=op.f("fk_resource_documents_organization_id_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "resource_id"],
            ["resources.organization_id", "resources.id"],
            name=op.f("fk_resource_documents_organization_id_resource_id_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_resource_documents_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_resource_documents")),
    )
    op.create_index(
        "ix_resource_documents_document",
        "resource_documents",
        ["organization_id", "document_id"],
        unique=False,
    )
    op.create_index(
        "uq_resource_documents_pair",
        "resource_documents",
        ["organization_id", "resource_id", "document_id"],
        unique=True,
    )
    op.create_table(
        "resource_knowledge_nodes",
        sa.Column("organization_id", sa.UUID(), nullable=False),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("resource_id", sa.UUID(), nullable=False),
        sa.Column("node_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "node_id"],
            ["knowledge_nodes.organization_id", "knowledge_nodes.id"],
            name=op.f("fk_resource_knowledge_nodes_organization_id_node_id_knowledge_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "resource_id"],
            ["resources.organization_id", "resources.id"],
            name=op.f("fk_resource_knowledge_nodes_organization_id_resource_id_resources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_resource_knowledge_nodes_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_resource_knowledge_nodes")),
    )
    op.create_index(
        "ix_resource_knowledge_nodes_node",
        "resource_knowledge_nodes",
        ["organization_id", "node_id"],
        unique=False,
    )
    op.create_index(
        "uq_resource_knowledge_nodes_pair",
        "resource_knowledge_nodes",
        ["organization_id", "resource_id", "node_id"],
        unique=True,
    )
    for table in TENANT_TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} TO {APP_ROLE}"
            f" USING (organization_id = {CURRENT_ORGANIZATION})"
            f" WITH CHECK (organization_id = {CURRENT_ORGANIZATION})"
        )


def downgrade() -> None:
    op.drop_index("uq_resource_knowledge_nodes_pair", table_name="resource_knowledge_nodes")
    op.drop_index("ix_resource_knowledge_nodes_node", table_name="resource_knowledge_nodes")
    op.drop_table("resource_knowledge_nodes")
    op.drop_index("uq_resource_documents_pair", table_name="resource_documents")
    op.drop_index("ix_resource_documents_document", table_name="resource_documents")
    op.drop_table("resource_documents")
    op.drop_index("ix_resources_usage", table_name="resources")
    op.drop_index("ix_resources_title", table_name="resources")
    op.drop_index("ix_resources_quality", table_name="resources")
    op.drop_index("ix_resources_owner", table_name="resources")
    op.drop_index("ix_resources_created", table_name="resources")
    op.drop_table("resources")
    op.drop_index("uq_organization_settings_organization", table_name="organization_settings")
    op.drop_table("organization_settings")
    op.execute("DROP TYPE resource_kind")
