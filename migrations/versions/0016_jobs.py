"""Processing jobs: the queue, row-level security, and the one way to claim across tenants.

`jobs` is a tenant table like the others (the app role sees its organization's rows only).
A worker connects as the app's login role too, but must find the next job of any
organization: `khub_claim_job` (SECURITY DEFINER, owned by the owner, `search_path`
pinned, executable by the app role only) picks one due job with
`FOR UPDATE SKIP LOCKED` — a queued job whose `run_after` has come, or a running one whose
lease expired (its worker died) — marks it RUNNING under the caller's lease, counts the
attempt and returns it; nothing else. Before claiming it settles expired jobs that must not
run again: cancelled ones become CANCELLED, ones out of attempts FAILED.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"
SIGNATURE = "khub_claim_job(text, integer)"
STATUS = postgresql.ENUM(
    "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED", name="job_status", create_type=False
)

FUNCTION = """
CREATE FUNCTION khub_claim_job(p_owner text, p_lease_seconds integer)
RETURNS TABLE (
    id uuid, organization_id uuid, requested_by_id uuid, kind text, params jsonb,
    attempt integer, requester_is_admin boolean
)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE public.jobs j
       SET status = CASE WHEN j.cancel_requested THEN 'CANCELLED' ELSE 'FAILED' END
                    ::public.job_status,
           error_message = CASE WHEN j.cancel_requested THEN j.error_message
                           ELSE 'its worker stopped (the lease expired) and no attempts are left'
                           END,
           finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
           version = j.version + 1, updated_at = now()
     WHERE (j.organization_id, j.id) IN (
            SELECT x.organization_id, x.id FROM public.jobs x
             WHERE x.status = 'RUNNING' AND x.lease_expires_at < now()
               AND (x.cancel_requested OR x.attempts >= x.max_attempts)
             FOR UPDATE SKIP LOCKED);
    RETURN QUERY
    WITH next AS (
        SELECT x.organization_id, x.id FROM public.jobs x
         WHERE (x.status = 'QUEUED' AND x.run_after <= now())
            OR (x.status = 'RUNNING' AND x.lease_expires_at < now()
                AND NOT x.cancel_requested AND x.attempts < x.max_attempts)
         ORDER BY x.run_after, x.id
         LIMIT 1
         FOR UPDATE SKIP LOCKED
    )
    UPDATE public.jobs j
       SET status = 'RUNNING', attempts = j.attempts + 1, lease_owner = p_owner,
           lease_expires_at = clock_timestamp() + make_interval(secs => p_lease_seconds),
           started_at = coalesce(j.started_at, now()), version = j.version + 1,
           updated_at = now()
      FROM next
     WHERE j.organization_id = next.organization_id AND j.id = next.id
    RETURNING j.id, j.organization_id, j.requested_by_id, j.kind::text, j.params, j.attempts,
              EXISTS (SELECT FROM public.user_roles r
                       WHERE r.organization_id = j.organization_id
                         AND r.user_id = j.requested_by_id AND r.role = 'ADMIN');
END
$$
"""


def upgrade() -> None:
    STATUS.create(op.get_bind(), checkfirst=False)
    op.create_table(
        "jobs",
        sa.Column("organization_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", STATUS, server_default="QUEUED", nullable=False),
        sa.Column("progress", sa.Integer(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default="3", nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("requested_by_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column(
            "params", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "run_after", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("kind ~ '^[a-z][a-z0-9_.-]{0,31}$'", name=op.f("ck_jobs_kind_format")),
        sa.CheckConstraint("progress BETWEEN 0 AND 100", name=op.f("ck_jobs_progress_percent")),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_jobs_attempts_not_negative")),
        sa.CheckConstraint("max_attempts >= 1", name=op.f("ck_jobs_max_attempts_positive")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_jobs_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id", "requested_by_id"],
            ["users.organization_id", "users.id"],
            name=op.f("fk_jobs_organization_id_requested_by_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "id", name=op.f("pk_jobs")),
    )
    op.create_index(
        "ix_jobs_due", "jobs", ["run_after"], postgresql_where=sa.text("status = 'QUEUED'")
    )
    op.create_index(
        "ix_jobs_leased",
        "jobs",
        ["lease_expires_at"],
        postgresql_where=sa.text("status = 'RUNNING'"),
    )
    op.create_index("ix_jobs_created", "jobs", ["organization_id", "created_at", "id"])
    op.create_index(
        "ix_jobs_requester", "jobs", ["organization_id", "requested_by_id", "created_at", "id"]
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON jobs TO {APP_ROLE}")
    op.execute("ALTER TABLE jobs ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON jobs TO {APP_ROLE}"
        f" USING (organization_id = {CURRENT_ORGANIZATION})"
        f" WITH CHECK (organization_id = {CURRENT_ORGANIZATION})"
    )
    op.execute(FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {APP_ROLE}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.drop_table("jobs")
    STATUS.drop(op.get_bind(), checkfirst=False)
