"""The app's login role: row-level security holds it whatever SQL it sends, and migrations
create or check it (`persistence/roles.py`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from persistence.database import Database, async_url, scope_transaction, session_factory
from persistence.document.repository import DocumentRepository
from persistence.roles import APP_ROLE, LoginRole, RoleSetupError, ensure_login_role, unsafe_reasons
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.identity import create_user
from persistence.user.models import Organization
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.fixtures.databases import drop_role
from tests.fixtures.users import PASSWORD

COUNT_THEIRS = """
SELECT (SELECT count(*) FROM documents WHERE organization_id = :theirs)
     + (SELECT count(*) FROM users WHERE organization_id = :theirs)
     + (SELECT count(*) FROM organizations WHERE id = :theirs)
"""


@dataclass(frozen=True)
class Tenants:
    ours: Organization
    theirs: Organization


@pytest.fixture
async def tenants(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Tenants]:
    """Two organizations with a user and a document each, committed by the owner."""
    orgs = []
    async with session_factory(engine)() as session, session.begin():
        for name in ("ours", "theirs"):
            org = await OrganizationRepository(session).create(
                slug=f"{name}-{uuid.uuid4().hex[:8]}", name=name.title()
            )
            scope = Scope.system(org.id)
            user = await create_user(
                UserRepository(session, scope),
                username=name,
                email=f"{name}@example.com",
                password=PASSWORD,
                settings=settings,
            )
            await DocumentRepository(session, scope).create(title=name, owner_id=user.id)
            orgs.append(org)
    yield Tenants(*orgs)
    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(Organization).where(Organization.id.in_([o.id for o in orgs])))


async def _scoped_to(conn: AsyncConnection, org: Organization | None) -> None:
    await conn.execute(
        text("SELECT set_config('app.organization_id', :org, true)"),
        {"org": str(org.id) if org else ""},
    )


async def test_the_app_connects_as_a_role_that_cannot_bypass_row_level_security(
    app_engine: AsyncEngine,
) -> None:
    async with app_engine.connect() as conn:
        login = await conn.scalar(text("SELECT current_user"))
        flags = (
            await conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
            )
        ).one()
        owned = await conn.scalar(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        )
        reasons = await unsafe_reasons(conn, login)

    assert tuple(flags) == (False, False)
    assert owned == 0
    assert reasons == []


@pytest.mark.parametrize(
    "escape",
    ["RESET ROLE", "SET ROLE NONE", "SET ROLE {owner}", "SET SESSION AUTHORIZATION {owner}"],
)
async def test_no_role_statement_lets_the_app_read_another_organization(
    app_engine: AsyncEngine, database_url: str, tenants: Tenants, escape: str
) -> None:
    owner = make_url(database_url).username
    async with app_engine.connect() as conn:
        try:
            await conn.execute(text(escape.format(owner=owner)))
            await conn.commit()
        except DBAPIError as refused:
            assert "permission denied" in str(refused.orig)
            await conn.rollback()
        await _scoped_to(conn, tenants.ours)
        seen = await conn.scalar(text(COUNT_THEIRS), {"theirs": tenants.theirs.id})
        await conn.rollback()

    assert seen == 0


async def test_the_app_sees_only_the_organization_of_its_transaction(
    app_engine: AsyncEngine, tenants: Tenants
) -> None:
    async with app_engine.connect() as conn:
        await _scoped_to(conn, tenants.ours)
        scoped = (await conn.execute(text("SELECT id FROM organizations"))).scalars().all()
        await conn.rollback()
        await _scoped_to(conn, None)
        unscoped = await conn.scalar(text("SELECT count(*) FROM organizations"))

    assert scoped == [tenants.ours.id]
    assert unscoped == 0


async def test_login_finds_an_organization_by_slug_before_any_is_set(
    app_engine: AsyncEngine, tenants: Tenants
) -> None:
    async with session_factory(app_engine)() as session, session.begin():
        found = await OrganizationRepository(session).by_slug(tenants.theirs.slug)
        missing = await OrganizationRepository(session).by_slug("no-such-organization")
        several = await OrganizationRepository(session).only_one()

    assert found is not None and found.id == tenants.theirs.id
    assert missing is None
    assert several is None


async def test_only_one_finds_the_single_organization_under_row_level_security(
    session: AsyncSession, settings: Settings
) -> None:
    """In the test's rolled-back transaction: all organizations gone but one."""
    await session.execute(delete(Organization))
    alone = await OrganizationRepository(session).create(slug="alone", name="Alone")
    await scope_transaction(session, organization_id=None, statement_timeout_ms=10_000)
    await session.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))

    found = await OrganizationRepository(session).only_one()

    assert found is not None and found.id == alone.id


async def test_migrate_creates_a_missing_login_role_as_a_member_of_the_app_role(
    database_url: str, server_url: str
) -> None:
    login = LoginRole(name=f"khub_new_{uuid.uuid4().hex[:8]}", password="a new password")
    try:
        await ensure_login_role(database_url, login)
        url = make_url(database_url).set(username=login.name, password=login.password)
        engine = create_async_engine(async_url(url.render_as_string(hide_password=False)))
        try:
            async with engine.connect() as conn:
                who = await conn.scalar(text("SELECT current_user"))
                reasons = await unsafe_reasons(conn, login.name)
        finally:
            await engine.dispose()
    finally:
        await drop_role(server_url, login.name)

    assert who == login.name
    assert reasons == []


async def test_migrate_refuses_a_login_role_that_could_bypass_row_level_security(
    database_url: str,
) -> None:
    owner = LoginRole.from_url(database_url)

    with pytest.raises(
        RoleSetupError, match=f"refusing to let the server connect as `{owner.name}`"
    ):
        await ensure_login_role(database_url, owner)


@pytest.fixture
async def owner_without_createrole(database_url: str, server_url: str) -> AsyncIterator[str]:
    """A URL for the test database as a role that may not create roles."""
    name, password = f"khub_plain_{uuid.uuid4().hex[:8]}", "plain password"
    engine = create_async_engine(async_url(server_url), isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
    await engine.dispose()
    url = make_url(database_url).set(username=name, password=password)
    yield url.render_as_string(hide_password=False)
    await drop_role(server_url, name)


async def test_migrate_without_createrole_says_which_role_to_create(
    owner_without_createrole: str,
) -> None:
    missing = LoginRole(name=f"khub_missing_{uuid.uuid4().hex[:8]}", password="x")

    with pytest.raises(RoleSetupError, match="lacks CREATEROLE") as refused:
        await ensure_login_role(owner_without_createrole, missing)

    assert f"CREATE ROLE {missing.name} LOGIN PASSWORD" in str(refused.value)


async def test_the_server_refuses_to_connect_as_the_owner(
    database_url: str, settings: Settings
) -> None:
    as_owner = replace(settings, database_url=database_url, app_database_url=database_url)

    with pytest.raises(RoleSetupError, match="the server must not connect as"):
        await Database.open(as_owner, as_app=True)


async def test_the_server_says_so_at_once_when_it_cannot_log_in_as_the_app_role(
    database_url: str, settings: Settings
) -> None:
    nobody = make_url(database_url).set(username=f"khub_nobody_{uuid.uuid4().hex[:8]}")
    unknown = replace(
        settings,
        database_url=database_url,
        app_database_url=nobody.render_as_string(hide_password=False),
        connect_retries=5,
    )
    started = time.monotonic()

    with pytest.raises(RoleSetupError, match=f"cannot log in as `{nobody.username}`"):
        await Database.open(unknown, as_app=True)
    assert time.monotonic() - started < 2  # no retries: a refused login does not heal
