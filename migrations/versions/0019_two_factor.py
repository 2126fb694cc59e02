"""Two-factor authentication: a user's sealed TOTP secret and recovery codes, and the
short-lived challenges a login with a correct password opens.

Both tables are tenant-owned, with row-level security and grants to the app's role like
every other. `secret_sealed` holds the secret encrypted under KHUB_SECRET_KEYS (never the
secret itself); recovery codes and challenges are stored as SHA-256 hashes.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"
TABLES = ("user_two_factors", "two_factor_challenges")


def _common() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("organization_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", postgresql.UUID(as_uuid=True), nullable=False),
    ]


def _stamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
    ]


def _keys(table: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f(f"fk_{table}_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "user_id"],
            ["users.organization_id", "users.id"],
            name=op.f(f"fk_{table}_organization_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "user_two_factors",
        *_common(),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=True),
        sa.Column(
            "recovery_code_hashes",
            postgresql.ARRAY(sa.String(length=64)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        *_stamps(),
        sa.CheckConstraint(
            "last_used_step >= 0", name=op.f("ck_user_two_factors_last_used_step_non_negative")
        ),
        sa.CheckConstraint(
            "cardinality(recovery_code_hashes) <= 10",
            name=op.f("ck_user_two_factors_recovery_codes_at_most_10"),
        ),
        *_keys("user_two_factors"),
        sa.UniqueConstraint(
            "organization_id", "user_id", name=op.f("uq_user_two_factors_organization_id_user_id")
        ),
    )
    op.create_table(
        "two_factor_challenges",
        *_common(),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        *_keys("two_factor_challenges"),
        sa.UniqueConstraint(
            "organization_id",
            "secret_hash",
            name=op.f("uq_two_factor_challenges_organization_id_secret_hash"),
        ),
    )
    op.create_index(
        "ix_two_factor_challenges_user",
        "two_factor_challenges",
        ["organization_id", "user_id"],
    )
    for table in TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} TO {APP_ROLE}"
            f" USING (organization_id = {CURRENT_ORGANIZATION})"
            f" WITH CHECK (organization_id = {CURRENT_ORGANIZATION})"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.drop_index("ix_two_factor_challenges_user", table_name="two_factor_challenges")
    op.drop_table("two_factor_challenges")
    op.drop_table("user_two_factors")
