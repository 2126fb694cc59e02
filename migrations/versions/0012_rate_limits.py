"""Rate limits: cost units spent per principal in fixed windows, shared by every instance.

`rate_limits` holds one row per principal (`user:<id>` or `api_key:<id>` within an
organization, `address:<client address>` without one for anonymous callers): the window's
start and the cost spent in it. `khub_spend` checks and spends in one
`INSERT … ON CONFLICT DO UPDATE … RETURNING`: a spend that would pass the budget is refused
and writes nothing. Its transaction commits without waiting for the WAL flush
(`synchronous_commit` off, for that transaction only): a crash may forget the last
moments of spending, never anything else. Row-level security as for `login_throttles`:
an organization's rows to its transactions, rows without one to all.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"
OWN_OR_NONE = f"organization_id IS NULL OR organization_id = {CURRENT_ORGANIZATION}"
SIGNATURE = "khub_spend(uuid, uuid, text, bigint, bigint, integer)"

FUNCTION = """
CREATE FUNCTION khub_spend(
    p_id uuid, p_organization uuid, p_principal text, p_cost bigint, p_budget bigint,
    p_window_seconds integer
) RETURNS TABLE (admitted boolean, remaining bigint, reset_seconds integer)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    v_window interval := make_interval(secs => p_window_seconds);
    v_start timestamptz;
    v_spent bigint;
    v_spent_now boolean := false;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    IF p_cost <= p_budget THEN
        INSERT INTO public.rate_limits AS r
            (id, organization_id, principal, window_start, spent)
        VALUES (p_id, p_organization, p_principal, now(), p_cost)
        ON CONFLICT (organization_id, principal) DO UPDATE SET
            window_start = CASE WHEN r.window_start <= now() - v_window
                                THEN now() ELSE r.window_start END,
            spent = CASE WHEN r.window_start <= now() - v_window
                         THEN p_cost ELSE r.spent + p_cost END,
            updated_at = now()
        WHERE r.window_start <= now() - v_window OR r.spent + p_cost <= p_budget
        RETURNING r.window_start, r.spent INTO v_start, v_spent;
        v_spent_now := FOUND;
    END IF;
    IF NOT v_spent_now THEN  -- refused: read what is spent, change nothing
        SELECT r.window_start, r.spent INTO v_start, v_spent
          FROM public.rate_limits r
         WHERE r.organization_id IS NOT DISTINCT FROM p_organization
           AND r.principal = p_principal;
    END IF;
    admitted := v_spent_now;
    remaining := greatest(p_budget - coalesce(v_spent, 0), 0);
    reset_seconds := greatest(
        ceil(extract(epoch FROM coalesce(v_start, now()) + v_window - now())), 1
    )::int;
    RETURN NEXT;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("organization_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("principal", sa.String(length=80), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("spent >= 0", name=op.f("ck_rate_limits_spent_non_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_rate_limits_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limits")),
    )
    op.create_index(
        "uq_rate_limits_key",
        "rate_limits",
        ["organization_id", "principal"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON rate_limits TO {APP_ROLE}")
    op.execute("ALTER TABLE rate_limits ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON rate_limits TO {APP_ROLE}"
        f" USING ({OWN_OR_NONE}) WITH CHECK ({OWN_OR_NONE})"
    )
    op.execute(FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {APP_ROLE}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON rate_limits")
    op.drop_index("uq_rate_limits_key", table_name="rate_limits")
    op.drop_table("rate_limits")
