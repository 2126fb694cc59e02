"""Login throttling in its own table; API keys remember the session they came from.

`login_throttles` replaces the per-user failure count and lock: attempts are counted per
(organization, login, client address), per (organization, login) and per client address,
whether or not the login exists, so throttling no longer tells real accounts from unknown
ones (docs/decisions.md, "Login throttling"). Rows of one organization are visible only to
it under row-level security; rows without an organization (per-address keys, unknown
organizations) to every login transaction.

`api_keys.origin_session_id` records the login session a key was created on (directly or
through keys created on it), so a password change can revoke such keys.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 14:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"
OWN_OR_NONE = f"organization_id IS NULL OR organization_id = {CURRENT_ORGANIZATION}"


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("organization_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("login", sa.String(length=400), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("admitted", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("succeeded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_throttles_failures_non_negative")),
        sa.CheckConstraint(
            "login <> '' OR client_address <> ''", name=op.f("ck_login_throttles_has_a_key")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_login_throttles_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttles")),
    )
    op.create_index(
        "uq_login_throttles_key",
        "login_throttles",
        ["organization_id", "login", "client_address"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttles TO {APP_ROLE}")
    op.execute("ALTER TABLE login_throttles ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON login_throttles TO {APP_ROLE}"
        f" USING ({OWN_OR_NONE}) WITH CHECK ({OWN_OR_NONE})"
    )
    op.add_column(
        "api_keys", sa.Column("origin_session_id", postgresql.UUID(as_uuid=True), nullable=True)
    )
    op.drop_column("users", "locked_until")
    op.drop_column("users", "failed_login_count")  # and its CHECK constraint with it


def downgrade() -> None:
    op.add_column(
        "users",
        sa.Column("failed_login_count", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_users_failed_login_count_non_negative"), "users", "failed_login_count >= 0"
    )
    op.drop_column("api_keys", "origin_session_id")
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON login_throttles")
    op.drop_index("uq_login_throttles_key", table_name="login_throttles")
    op.drop_table("login_throttles")
