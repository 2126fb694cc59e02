"""Let row-level security keep the full-text index usable.

Under a row-level-security policy PostgreSQL only uses an index for a condition whose
operator function is LEAKPROOF; the tsvector @@ tsquery function (`ts_match_vq`) is not
marked so, which made every document search read the whole table. It reveals nothing
about rows beyond whether they match, so we mark it. This needs a superuser (the
embedded server's migrations run as one); elsewhere the migration warns and search still
works, only without the index under row-level security.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 05:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _set_leakproof(value: bool) -> None:
    flag = "LEAKPROOF" if value else "NOT LEAKPROOF"
    op.execute(
        f"""
        DO $$
        BEGIN
            ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) {flag};
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'not a superuser: full-text search cannot use its index under '
                          'row-level security (see migration 0005)';
        END
        $$
        """
    )


def upgrade() -> None:
    _set_leakproof(True)


def downgrade() -> None:
    _set_leakproof(False)
