"""Authentication and the transaction's scope in one statement.

`khub_authenticate` confines the calling transaction to the bearer token's organization and
sets its statement timeout (`set_config(…, true)`), then resolves the token — a live session
or a live API key — to its active user, the user's roles and the credential's scopes. One
round trip where there were four (scope, credential, user, roles). PL/pgSQL runs its
statements in order, so the lookups read under the organization just set: the function is
SECURITY INVOKER and row-level security holds as for any other statement of the app.

It always returns one row: `credential_id` NULL when no live credential matches, `id` NULL
when the account behind it is deleted or inactive; either way the transaction is confined
to no organization again. An API key's `last_used_at` is stamped when it is older than a
minute and the transaction can write; otherwise `stamp_due` tells the caller to call again
in a writable transaction (see docs/decisions.md, "Request pipeline").

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "khub_app"
SIGNATURE = "khub_authenticate(uuid, boolean, text, text)"

FUNCTION = """
CREATE FUNCTION khub_authenticate(
    p_organization uuid, p_api_key boolean, p_hash text, p_timeout_ms text
) RETURNS TABLE (
    id uuid, organization_id uuid, username varchar, email varchar, full_name varchar,
    is_active boolean, last_login_at timestamptz, version integer, created_at timestamptz,
    updated_at timestamptz, deleted_at timestamptz,
    roles text[], scopes text[], credential_id uuid, origin_session_id uuid, stamp_due boolean
)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER AS $$
DECLARE
    v_user uuid;
    v_scopes text[];
    v_credential uuid;
    v_origin uuid;
    v_last_used timestamptz;
    v_due boolean := false;
    v_account public.users%ROWTYPE;
BEGIN
    PERFORM set_config('statement_timeout', p_timeout_ms, true),
            set_config('app.organization_id', p_organization::text, true);
    IF p_api_key THEN
        SELECT k.user_id, k.scopes::text[], k.id, k.origin_session_id, k.last_used_at
          INTO v_user, v_scopes, v_credential, v_origin, v_last_used
          FROM public.api_keys k
         WHERE k.organization_id = p_organization AND k.secret_hash = p_hash
           AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now());
        v_due := FOUND AND (v_last_used IS NULL OR v_last_used < now() - interval '1 minute');
        IF v_due AND NOT current_setting('transaction_read_only')::boolean THEN
            UPDATE public.api_keys k SET last_used_at = now()
             WHERE k.organization_id = p_organization AND k.id = v_credential
               AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
            v_due := false;
        END IF;
    ELSE
        SELECT s.user_id, ARRAY['read', 'write'], s.id, s.id
          INTO v_user, v_scopes, v_credential, v_origin
          FROM public.user_sessions s
         WHERE s.organization_id = p_organization AND s.token_hash = p_hash
           AND s.revoked_at IS NULL AND s.expires_at > now();
    END IF;
    SELECT u.* INTO v_account
      FROM public.users u
     WHERE u.organization_id = p_organization AND u.id = v_user
       AND u.deleted_at IS NULL AND u.is_active;
    IF NOT FOUND THEN
        PERFORM set_config('app.organization_id', '', true);
    END IF;
    RETURN QUERY
        SELECT v_account.id, v_account.organization_id, v_account.username, v_account.email,
               v_account.full_name, v_account.is_active, v_account.last_login_at,
               v_account.version, v_account.created_at, v_account.updated_at,
               v_account.deleted_at,
               ARRAY(SELECT r.role::text FROM public.user_roles r
                      WHERE r.organization_id = p_organization AND r.user_id = v_account.id
                      ORDER BY r.role),
               v_scopes, v_credential, v_origin, v_due;
END
$$
"""


def upgrade() -> None:
    op.execute(FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {SIGNATURE} TO {APP_ROLE}")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
