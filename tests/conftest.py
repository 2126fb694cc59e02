"""Shared fixtures: a real PostgreSQL database made for this test run, migrated to head.

With DATABASE_URL set, a fresh database `khub_test_<random>` is created on that server
(the role needs CREATEDB and CREATEROLE) and dropped at the end, and the app connects as a
login role made for the run; otherwise an embedded PostgreSQL is started in a temporary
directory, and the app connects as `khub_app`, as `khub serve` does. `engine` is the
owner's (repository tests, seeding: what the CLI does); `app_engine` is the app's, a role
row-level security holds. Nothing runs against SQLite or a mocked session.

With KHUB_TEST_THROUGH_PGBOUNCER=1 the app's URL goes through a PgBouncer in transaction
mode (`tests/fixtures/pgbouncer.py`) and the settings say so (KHUB_DB_PGBOUNCER): the
whole API suite then runs through it. Tests marked `pgbouncer` always do.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from persistence import embedded
from persistence.database import create_engine, scope_transaction
from persistence.migrate import upgrade
from persistence.roles import LoginRole
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.models import Organization
from persistence.user.repository import OrganizationRepository
from tests.fixtures import pgbouncer
from tests.fixtures.databases import (
    app_url,
    create_database,
    drop_database,
    drop_role,
    set_role_timeout,
    throwaway_login,
)
from tests.fixtures.statements import StatementCounter

pytest_plugins = ["tests.fixtures.users", "tests.fixtures.content"]

THROUGH_PGBOUNCER = os.environ.get("KHUB_TEST_THROUGH_PGBOUNCER") == "1"
if THROUGH_PGBOUNCER:  # for the tests that read the settings from the environment, too
    os.environ["KHUB_DB_PGBOUNCER"] = "1"


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The environment's settings with a cheap bcrypt cost, so tests stay fast. Every API test
    calls from one client address, so its own counter is set out of reach."""
    return replace(
        Settings.from_env(),
        bcrypt_rounds=4,
        login_max_failures=3,
        login_address_max_failures=100_000,
    )


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A maintenance URL of a PostgreSQL server this run may create databases on."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    workdir = Path(tempfile.mkdtemp(prefix="khub-test-"))
    try:
        yield embedded.start(workdir / "pgdata", stop_on_exit=True, delete_on_exit=True)
    finally:
        embedded.stop(workdir / "pgdata")
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
async def app_login(server_url: str) -> AsyncIterator[LoginRole | None]:
    """The app's login role: None for the embedded default (`khub_app`), or one of this run's
    own on a DATABASE_URL server, dropped afterwards."""
    if not os.environ.get("DATABASE_URL"):
        yield None
        return
    login = throwaway_login()
    yield login
    await drop_role(server_url, login.name)


@pytest.fixture(scope="session")
async def database_url(server_url: str, app_login: LoginRole | None) -> AsyncIterator[str]:
    """A fresh database for this run, migrated to head (roles included), dropped afterwards."""
    url = await create_database(server_url, f"khub_test_{uuid.uuid4().hex[:12]}")
    await upgrade(url, app_url=app_url(url, app_login))
    yield url
    await drop_database(server_url, url)


@pytest.fixture(scope="session")
def direct_app_url(database_url: str, app_login: LoginRole | None) -> str:
    """The app's login role straight to PostgreSQL, never through PgBouncer: where the
    change feed LISTENs."""
    return app_url(database_url, app_login)


@pytest.fixture(scope="session")
def app_database_url(request: pytest.FixtureRequest, direct_app_url: str) -> str:
    url = direct_app_url
    if THROUGH_PGBOUNCER:
        if reason := pgbouncer.missing_reason():
            raise pytest.UsageError(f"KHUB_TEST_THROUGH_PGBOUNCER=1, but {reason}")
        return pgbouncer.through(url, request.getfixturevalue("pgbouncer_port"))
    return url


@pytest.fixture(scope="session")
async def pgbouncer_port(
    server_url: str, database_url: str, app_login: LoginRole | None, settings: Settings
) -> AsyncIterator[int]:
    """A PgBouncer in transaction mode for the app's login role; skips when it is missing.

    The login role gets the statement timeout as its default in the test database: behind
    PgBouncer that is what bounds a statement run outside a transaction (README)."""
    if reason := pgbouncer.missing_reason():
        pytest.skip(reason)
    login = LoginRole.from_url(app_url(database_url, app_login))
    await set_role_timeout(database_url, login.name, settings.statement_timeout_ms)
    with pgbouncer.running(server_url, {login.name: login.password}) as port:
        yield port


@pytest.fixture(scope="session")
async def engine(database_url: str, settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The owner's engine: repository tests and seeding."""
    engine = create_engine(database_url, settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app_engine(app_database_url: str, settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The app's engine, connected as its login role."""
    engine = create_engine(app_database_url, settings, app=True)
    yield engine
    await engine.dispose()


@pytest.fixture
def statements(engine: AsyncEngine, app_engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Counts the SQL statements both engines send while the test runs."""
    with StatementCounter.listening(engine, app_engine) as counter:
        yield counter


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session inside an outer transaction that is rolled back after the test.

    Commits inside the test become savepoints (`join_transaction_mode="create_savepoint"`),
    so nothing a repository test writes survives it.
    """
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection,
            expire_on_commit=False,
            autoflush=False,
            join_transaction_mode="create_savepoint",
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
async def organization(session: AsyncSession) -> Organization:
    slug = f"org-{uuid.uuid4().hex[:10]}"
    return await OrganizationRepository(session).create(slug=slug, name="Test Organization")


@pytest.fixture
async def scope(session: AsyncSession, organization: Organization, settings: Settings) -> Scope:
    """The organization's unrestricted scope, with its transaction settings applied."""
    await scope_transaction(
        session,
        organization_id=organization.id,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    return Scope.system(organization.id)
