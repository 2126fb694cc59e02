"""Row-level security on `organizations`, with a narrow path for login to find one.

The application role now sees only the organization of its transaction, like every tenant
table. Before anyone is signed in, login still has to find an organization by its slug (or
the only one): two SECURITY DEFINER functions, owned by the migrating owner role, answer
exactly that and nothing else (no listing), with `search_path` pinned so a caller cannot
substitute objects of its own.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 14:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
CURRENT_ORGANIZATION = "NULLIF(current_setting('app.organization_id', true), '')::uuid"
FUNCTIONS = {
    "khub_organization_by_slug(p_slug text)": (
        "SELECT o.* FROM public.organizations o WHERE o.slug = p_slug"
    ),
    "khub_only_organization()": (
        "SELECT o.* FROM public.organizations o"
        " WHERE (SELECT count(*) FROM (SELECT FROM public.organizations LIMIT 2) s) = 1"
    ),
}


def upgrade() -> None:
    op.execute("ALTER TABLE organizations ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON organizations TO {APP_ROLE}"
        f" USING (id = {CURRENT_ORGANIZATION})"
    )
    for signature, body in FUNCTIONS.items():
        op.execute(
            f"CREATE FUNCTION {signature} RETURNS SETOF public.organizations"
            " LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
            f" AS $$ {body} $$"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {_name(signature)} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {_name(signature)} TO {APP_ROLE}")


def downgrade() -> None:
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {_name(signature)}")
    op.execute("DROP POLICY IF EXISTS tenant_isolation ON organizations")
    op.execute("ALTER TABLE organizations DISABLE ROW LEVEL SECURITY")


def _name(signature: str) -> str:
    """`f(p_slug text)` -> `f(text)`: how DROP, GRANT and REVOKE name a function."""
    name, args = signature.rstrip(")").split("(")
    return f"{name}({', '.join(a.split()[-1] for a in args.split(',') if a)})"
