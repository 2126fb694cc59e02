"""The async engine, its sessions, start-up retry and the readiness check."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import greenlet_spawn

from persistence import embedded
from persistence.replica import Replica, replica_app_url
from persistence.roles import RoleSetupError, app_url_for, unsafe_reasons
from persistence.settings import Settings

log = logging.getLogger(__name__)


def resolve_url(settings: Settings, *, stop_embedded_on_exit: bool = False) -> str:
    """The owner's `postgresql://` URL: DATABASE_URL, or the embedded server (started if needed)."""
    if settings.database_url:
        return settings.database_url
    return embedded.start(settings.data_dir, stop_on_exit=stop_embedded_on_exit)


def resolve_app_url(settings: Settings, owner_url: str) -> str:
    """The URL the server's GraphQL transactions connect with: KHUB_APP_DATABASE_URL, or the
    owner's URL with the user `khub_app` and no password (the embedded server's socket)."""
    return app_url_for(owner_url, settings.app_database_url)


async def refuse_unsafe_login(engine: AsyncEngine) -> None:
    """Refuse to serve as a role that row-level security would not hold."""
    async with engine.connect() as conn:
        login = await conn.scalar(text("SELECT current_user"))
        reasons = await unsafe_reasons(conn, login)
    if reasons:
        raise RoleSetupError(
            f"the server must not connect as `{login}`: {'; '.join(reasons)} "
            "(set KHUB_APP_DATABASE_URL to the app's login role; see README)"
        )


def async_url(url: str) -> str:
    """The SQLAlchemy asyncpg form of a plain `postgresql://` URL."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def create_engine(url: str, settings: Settings, *, app: bool = False) -> AsyncEngine:
    """One engine per process, with the pool settings from the environment."""
    engine = create_async_engine(
        async_url(url),
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        pool_recycle=settings.pool_recycle,
        hide_parameters=True,  # values (user content, hashes) stay out of errors and logs
        connect_args=connect_arguments(settings, app=app),
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def warn_of_overflow(settings: Settings) -> None:
    """SQLAlchemy's pool keeps only `pool_size` connections: an overflow connection is closed
    at checkin and a new one opened at the next checkout that needs it. It has no option to
    keep idle ones for a while, so the operator who allows overflow is told what it costs."""
    if settings.max_overflow > 0:
        log.warning(
            "KHUB_DB_MAX_OVERFLOW=%d: under sustained load beyond KHUB_DB_POOL_SIZE=%d, overflow "
            "connections are closed and reopened per request (a login and fresh prepared "
            "statements each); raise KHUB_DB_POOL_SIZE instead (docs/deploy.md)",
            settings.max_overflow,
            settings.pool_size,
        )


def connect_arguments(settings: Settings, *, app: bool) -> dict[str, Any]:
    """asyncpg's arguments. The app's connections default to the statement timeout, for a
    statement that runs before any transaction sets it (`graph/compiler/known_callers.py`).

    Behind PgBouncer in transaction mode consecutive transactions of one connection may run
    on different server connections, which other clients share: no prepared statement may
    be cached or named (asyncpg's and SQLAlchemy's caches off, the unnamed statement only,
    which lives until the next one), and no startup parameter is sent (PgBouncer refuses
    `statement_timeout`): the login role's default timeout covers that statement instead.

    The app's prepared statements use generic plans by default: a compiled query is one
    large statement whose planning costs as much as half its execution, and PostgreSQL's
    `auto` mode kept re-planning it with its values (measured in docs/performance.md).
    """
    # A server that accepts but never answers must not hold a request for asyncpg's 60 s.
    bounded: dict[str, Any] = {"timeout": settings.connect_timeout}
    if settings.pgbouncer:
        return bounded | {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": _unnamed,
        }
    if app:
        return bounded | {
            "server_settings": {
                "statement_timeout": str(settings.statement_timeout_ms),
                "plan_cache_mode": settings.plan_cache_mode,
            }
        }
    return bounded


def _unnamed() -> str:
    return ""


def _refuse_closed(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Instead of `pool_pre_ping`, which costs three round trips per checkout (`BEGIN`, a
    ping, `ROLLBACK`: as much as the rest of a compiled query): a connection whose socket the
    server closed (a restart, `pg_terminate_backend`) is replaced, for free. One that died
    silently fails its first statement: the request answers 503 and the pool drops it."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that never expire loaded rows and never flush behind the caller's back."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def scalar_on_driver(connection: AsyncConnection, sql: str, values: tuple[Any, ...]) -> Any:
    """The first column of one statement sent straight to asyncpg, outside any transaction.

    For the hottest statement (a known caller's compiled query, `graph/operation.py`):
    SQLAlchemy's execution context, result object and autocommit switch cost as much Python
    as the rest of the request. The engine's statement listeners (the request's statement
    count, tracing, the test suite's counter) still hear of it. The connection must not be
    in a transaction: nothing begins one here, so checking it in sends nothing either.
    """
    dispatch = connection.sync_engine.dispatch
    dispatch.before_cursor_execute(connection.sync_connection, None, sql, values, None, False)
    driver = (await connection.get_raw_connection()).driver_connection
    result = await driver.fetchval(sql, *values)
    dispatch.after_cursor_execute(connection.sync_connection, None, sql, values, None, False)
    return result


async def read_pooled(
    engine: AsyncEngine, sql: str, values: tuple[Any, ...], waited: Callable[[float], None]
) -> Any:
    """The first column of one statement run alone on a connection of `engine`'s pool,
    checked out and back in without an SQLAlchemy `Connection`; `waited` hears how long
    the checkout took.

    For the express lane (graph/compiler/express.py): the Connection, its events and a
    third greenlet hop cost more Python than the driver's call. The statement listeners
    still hear of the statement (with no Connection, as nothing else has one). A connection
    that broke goes back to the pool as it is: the pool's checkout refuses a closed one.
    """
    sync_engine = engine.sync_engine
    started = time.perf_counter()
    pooled = await greenlet_spawn(sync_engine.raw_connection)
    waited(time.perf_counter() - started)
    try:
        dispatch = sync_engine.dispatch
        dispatch.before_cursor_execute(None, None, sql, values, None, False)
        result = await pooled.driver_connection.fetchval(sql, *values)
        dispatch.after_cursor_execute(None, None, sql, values, None, False)
        return result
    finally:
        await greenlet_spawn(pooled.close)


READ_ONLY_SNAPSHOT = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
"""Connection options for a query's transaction: one consistent, read-only snapshot."""


async def scope_transaction(
    session: AsyncSession | AsyncConnection,
    *,
    organization_id: uuid.UUID | None,
    statement_timeout_ms: int,
) -> None:
    """Set the transaction's timeout and organization in one round trip.

    Uses `SET LOCAL` semantics (`set_config(..., true)`) so it also works behind PgBouncer
    in transaction mode. Row-level security reads the organization; it applies because the
    server connects as the application's login role (`persistence/roles.py`).
    """
    await session.execute(
        text(
            "SELECT set_config('statement_timeout', :timeout, true),"
            " set_config('app.organization_id', :org, true)"
        ),
        {"timeout": str(statement_timeout_ms), "org": str(organization_id or "")},
    )


def refused_login(exc: BaseException) -> bool:
    """The server answered, but refused the role or its password: retrying will not help."""
    sqlstate = getattr(getattr(exc, "driver_exception", None), "sqlstate", None) or ""
    return sqlstate.startswith("28")  # invalid_authorization_specification, invalid_password


async def wait_until_reachable(
    engine: AsyncEngine, *, retries: int, base_delay: float = 0.5
) -> None:
    """Retry the first connection with exponential backoff: the database may still be starting."""
    for attempt in range(retries + 1):
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return
        except (OperationalError, DBAPIError, OSError) as exc:
            if attempt == retries or refused_login(exc):
                raise
            delay = base_delay * 2**attempt
            log.warning("database not reachable (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)


async def open_replica(settings: Settings, app_url: str) -> Replica | None:
    """The replica named by KHUB_DATABASE_REPLICA_URL, as the app's login role, watched from
    now on. One that does not answer yet does not stop the server: reads go to the primary
    until it does."""
    if settings.replica_url is None:
        return None
    engine = create_engine(replica_app_url(settings.replica_url, app_url), settings, app=True)
    replica = Replica(
        engine, max_lag_ms=settings.replica_max_lag_ms, check_ms=settings.replica_check_ms
    )
    await replica.start()
    return replica


@dataclass(frozen=True)
class Readiness:
    """What `/readyz` and `khub` report about the database."""

    reachable: bool
    revision: str | None
    head: str | None
    detail: str = ""

    @property
    def ready(self) -> bool:
        return self.reachable and self.revision is not None and self.revision == self.head


async def check_readiness(engine: AsyncEngine) -> Readiness:
    """Is the database reachable, and are the migrations at head?"""
    from persistence.migrate import head_revision

    head = head_revision()
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
            revision = (
                await conn.scalar(text("SELECT version_num FROM alembic_version"))
                if exists
                else None
            )
    except (OperationalError, DBAPIError, OSError) as exc:
        return Readiness(reachable=False, revision=None, head=head, detail=str(exc))
    return Readiness(reachable=True, revision=revision, head=head)


@dataclass
class Database:
    """The process's engine and session factory, made once at start-up; and the read
    replica's, when there is one (the server's only)."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    replica: Replica | None = None

    def reader(self) -> AsyncEngine:
        """Where a read-only operation's transaction goes now: the replica while it is up
        and caught up, else the primary."""
        if self.replica is not None and self.replica.usable:
            return self.replica.engine
        return self.engine

    def listen_url(self) -> str:
        """Where the change feed LISTENs: KHUB_DATABASE_LISTEN_URL, else the app's URL."""
        return self.settings.listen_url or self.url

    @classmethod
    async def open(
        cls, settings: Settings, *, stop_embedded_on_exit: bool = False, as_app: bool = False
    ) -> Database:
        """Resolve the URL (starting the embedded server if needed) and wait until it answers.

        The owner's by default (the CLI, migrations); `as_app` for the server's GraphQL
        transactions, checked to be a role row-level security holds.
        """
        url = await asyncio.to_thread(
            resolve_url, settings, stop_embedded_on_exit=stop_embedded_on_exit
        )
        if as_app:
            url = resolve_app_url(settings, url)
            warn_of_overflow(settings)
        engine = create_engine(url, settings, app=as_app)
        try:
            await wait_until_reachable(engine, retries=settings.connect_retries)
            if as_app:
                await refuse_unsafe_login(engine)
        except DBAPIError as exc:
            await engine.dispose()
            if as_app and refused_login(exc):
                raise RoleSetupError(
                    f"the server cannot log in as `{make_url(url).username}` ({exc.orig}): "
                    "`khub migrate` sets up the app's login role; see KHUB_APP_DATABASE_URL "
                    "in the README"
                ) from exc
            raise
        except BaseException:
            await engine.dispose()
            raise
        replica = await open_replica(settings, url) if as_app else None
        return cls(
            url=url,
            engine=engine,
            sessions=session_factory(engine),
            settings=settings,
            replica=replica,
        )

    async def close(self) -> None:
        if self.replica is not None:
            await self.replica.stop()
        await self.engine.dispose()

    @asynccontextmanager
    async def transaction(
        self, organization_id: uuid.UUID | None = None, *, read_only: bool = False
    ) -> AsyncIterator[AsyncSession]:
        """One session in one transaction, committed on success and rolled back on error."""
        async with self.engine.connect() as connection:
            if read_only:
                await connection.execution_options(**READ_ONLY_SNAPSHOT)
            async with self.sessions(bind=connection) as session, session.begin():
                await scope_transaction(
                    session,
                    organization_id=organization_id,
                    statement_timeout_ms=self.settings.statement_timeout_ms,
                )
                yield session
