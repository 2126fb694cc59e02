"""Row-level security: every tenant table is visible only to its own organization.

The application switches to the role `khub_app` for each GraphQL transaction (it cannot
bypass row-level security) and sets `app.organization_id`; these policies then hide every
row of other organizations and refuse writes into them, even if a query forgot its scope.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
TENANT_TABLES = (
    "users",
    "user_roles",
    "user_sessions",
    "api_keys",
    "collections",
    "documents",
    "tags",
    "document_tags",
    "annotations",
    "knowledge_nodes",
    "knowledge_edges",
    "audit_events",
)
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"


def upgrade() -> None:
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        END
        $$
        """
    )
    op.execute(f"GRANT {APP_ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT ON organizations, alembic_version TO {APP_ROLE}")
    for table in TENANT_TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} TO {APP_ROLE}"
            f" USING (organization_id = {CURRENT_ORGANIZATION})"
            f" WITH CHECK (organization_id = {CURRENT_ORGANIZATION})"
        )


def downgrade() -> None:
    for table in TENANT_TABLES:
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute(f"REVOKE ALL ON {table} FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON organizations, alembic_version FROM {APP_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    # The role itself stays: it is cluster-wide and other databases may use it.
