"""The two database roles: the owner that migrates, and the login role the server runs as.

`khub_app` carries the grants and the row-level-security policies (migrations grant to it).
The server's GraphQL transactions connect as a login role that is `khub_app` itself (the
embedded default) or a member of it, and that can neither bypass row-level security nor
become a role that can: not a superuser, NOBYPASSRLS, owning no table, and a member of no
role that is any of those. So no statement the app sends (`RESET ROLE`, `SET ROLE`,
`SET SESSION AUTHORIZATION`) leaves the policies behind. See docs/decisions.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

APP_ROLE = "khub_app"


class RoleSetupError(RuntimeError):
    """The roles cannot be created or are unsafe; the message says what to do."""


@dataclass(frozen=True)
class LoginRole:
    """The role named in the app's URL, and the password to give it if we create it."""

    name: str
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> LoginRole:
        parsed = make_url(url)
        if not parsed.username:
            raise RoleSetupError("the app's database URL names no user")
        return cls(name=parsed.username, password=parsed.password or None)


def app_url_for(owner_url: str, app_url: str | None) -> str:
    """The app's URL: as configured, or the owner's with the user `khub_app` and no password
    (what the embedded server, which trusts its unix socket, needs)."""
    if app_url:
        return app_url
    parsed = make_url(owner_url).set(username=APP_ROLE, password=None)
    return parsed.render_as_string(hide_password=False)


UNSAFE = text(
    """
    SELECT r.rolname, r.rolsuper, r.rolbypassrls,
           EXISTS (SELECT FROM pg_class c WHERE c.relowner = r.oid
                   AND c.relnamespace = 'public'::regnamespace) AS owns_tables
    FROM pg_roles r
    WHERE pg_has_role(:login, r.oid, 'MEMBER')
      AND (r.rolsuper OR r.rolbypassrls OR EXISTS (
            SELECT FROM pg_class c WHERE c.relowner = r.oid
            AND c.relnamespace = 'public'::regnamespace))
    ORDER BY r.rolname
    """
)


async def unsafe_reasons(conn: AsyncConnection, login: str) -> list[str]:
    """Why `login` (or a role it can become) could read past row-level security; [] if none."""
    reasons = []
    for name, superuser, bypass, owns in await conn.execute(UNSAFE, {"login": login}):
        what = [w for w, flag in (("a superuser", superuser), ("BYPASSRLS", bypass)) if flag]
        if owns:
            what.append("the owner of the tables")
        via = "" if name == login else f" through its membership of `{name}`"
        reasons.append(f"`{login}` is {' and '.join(what)}{via}")
    member = await conn.scalar(
        text("SELECT pg_has_role(:login, oid, 'USAGE') FROM pg_roles WHERE rolname = :app"),
        {"login": login, "app": APP_ROLE},
    )
    if member is None:
        reasons.append(f"the role `{APP_ROLE}` does not exist yet (run `khub migrate`)")
    elif not member:
        reasons.append(f"`{login}` is neither `{APP_ROLE}` nor a member of it")
    return reasons


async def _can_create_roles(conn: AsyncConnection) -> bool:
    return bool(
        await conn.scalar(
            text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        )
    )


async def _can_login(conn: AsyncConnection, name: str) -> bool | None:
    """Whether role `name` may log in; None when there is no such role."""
    return await conn.scalar(
        text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"), {"n": name}
    )


async def _run_formatted(conn: AsyncConnection, template: str, *args: str | None) -> None:
    """Run DDL built by PostgreSQL's own `format()`: role names and passwords cannot be bound."""
    binds = {f"a{i}": a for i, a in enumerate(args)}
    placeholders = "".join(f", CAST(:a{i} AS text)" for i in range(len(args)))
    statement = await conn.scalar(
        text(f"SELECT format(:t{placeholders})"), {"t": template, **binds}
    )
    await conn.exec_driver_sql(statement)


async def ensure_app_role(owner_url: str) -> None:
    """Before migrating: `khub_app` exists, or the owner can create it (migration 0002 does)."""
    engine = create_async_engine(_asyncpg(owner_url))
    try:
        async with engine.connect() as conn:
            if await _can_login(conn, APP_ROLE) is None and not await _can_create_roles(conn):
                raise RoleSetupError(
                    f"the role `{APP_ROLE}` does not exist and `{make_url(owner_url).username}` "
                    f"cannot create it (it lacks CREATEROLE): create it first, as an admin: "
                    f"CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS; "
                    f"GRANT {APP_ROLE} TO {make_url(owner_url).username} WITH ADMIN OPTION;"
                )
    finally:
        await engine.dispose()


async def ensure_login_role(owner_url: str, login: LoginRole) -> None:
    """After migrating: the app's login role exists, can log in, is `khub_app` or a member of
    it, and cannot get past row-level security. Creates or completes it when the owner may
    (CREATEROLE); otherwise says exactly what an admin must run."""
    engine = create_async_engine(_asyncpg(owner_url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await _provision(conn, login, owner=make_url(owner_url).username or "the owner")
            reasons = await unsafe_reasons(conn, login.name)
    finally:
        await engine.dispose()
    if reasons:
        raise RoleSetupError(
            f"refusing to let the server connect as `{login.name}`: {'; '.join(reasons)}. "
            f"Give it a role that is `{APP_ROLE}` or a plain member of it (KHUB_APP_DATABASE_URL)."
        )


async def _provision(conn: AsyncConnection, login: LoginRole, *, owner: str) -> None:
    can_login = await _can_login(conn, login.name)
    member = can_login is not None and await conn.scalar(
        text("SELECT pg_has_role(:login, :app, 'USAGE')"), {"login": login.name, "app": APP_ROLE}
    )
    if can_login and member:
        return  # ready; its password is the operator's business
    if not await _can_create_roles(conn):
        raise RoleSetupError(
            f"the login role `{login.name}` is missing, cannot log in, or is not a member of "
            f"`{APP_ROLE}`, and `{owner}` cannot fix that (it lacks CREATEROLE): as an admin, "
            f"run CREATE ROLE {login.name} LOGIN PASSWORD '…' IN ROLE {APP_ROLE}; "
            f"(or ALTER ROLE … LOGIN / GRANT {APP_ROLE} TO {login.name})"
        )
    if can_login is None:
        await _run_formatted(
            conn,
            "CREATE ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE INHERIT"
            " PASSWORD %L IN ROLE %I",
            login.name,
            login.password,
            APP_ROLE,
        )
        return
    if not can_login:
        await _run_formatted(conn, "ALTER ROLE %I LOGIN PASSWORD %L", login.name, login.password)
    if not member:
        await _run_formatted(conn, "GRANT %I TO %I", APP_ROLE, login.name)


def _asyncpg(url: str) -> str:
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
