"""One database connection per GraphQL operation, shared safely by concurrent resolvers.

Resolvers run concurrently, and neither an AsyncSession nor an asyncpg connection may be
used by two tasks at once. So an operation opens its connection lazily, the first time a
resolver needs it, and hands it out under a lock: one loader batch at a time. Queries run in
one read-only REPEATABLE READ transaction (a consistent snapshot); a mutation runs in one
read-write transaction, committed only when the operation finishes without a bug.

A query's transaction runs on the read replica when there is one in use; everything that
writes (mutations, rate-limit spending, login bookkeeping, an API key's stamp) runs on the
primary. A replica that fails the transaction's first statement is given up for the
primary, which then answers the query as if nothing happened.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any, TypeVar

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from graph import metrics
from persistence.availability import is_unavailable
from persistence.database import (
    READ_ONLY_SNAPSHOT,
    Database,
    scalar_on_driver,
    scope_transaction,
)
from persistence.ids import new_id
from persistence.rate_limits import SPEND_AS_ADDRESS, SPEND_AS_CALLER, Budget

log = logging.getLogger(__name__)

T = TypeVar("T")


class OperationFinished(RuntimeError):
    """Work asked for the connection after the operation gave it back."""


AUTHENTICATE = "SELECT * FROM khub_authenticate($1, $2, $3, $4)"
"""Confines the transaction and resolves a bearer token in one statement (migration 0010)."""


class Operation:
    """The lazily opened connection and transaction of one GraphQL operation.

    Its organization is fixed once, by authentication (or by the `login` that makes up the
    whole operation), before its transaction begins, and never changes afterwards: the
    transaction is confined to it when it begins. A query's transaction begins with the
    statement that authenticates the caller, which also confines it; the connection is used
    directly (the compiled path needs no ORM session) and an AsyncSession joins the
    transaction only when a resolver asks for one.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.read_only = True
        self.replica_allowed = False
        """A query's, set by whoever knows the operation's type: a subscription's events,
        for one, must see the commit that announced them."""
        self._lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._engine: AsyncEngine | None = None  # the connection's
        self._home: AsyncEngine | None = None  # the transaction's, chosen once
        self._session: AsyncSession | None = None
        self._organization_id: uuid.UUID | None = None
        self._identified = False
        self._finished = False
        self._stamp: tuple[Any, ...] | None = None

    def identify(self, organization_id: uuid.UUID | None) -> None:
        """Fix the organization the operation's transaction is confined to; once only."""
        if self._identified:
            raise RuntimeError("an operation's organization is fixed once it is known")
        self._organization_id = organization_id
        self._identified = True

    async def authenticate(
        self,
        organization_id: uuid.UUID,
        *,
        api_key: bool,
        secret_hash: str,
        spend: tuple[str, int, Budget] | None = None,
    ) -> Row[Any]:
        """The caller's credential, account and roles, in the statement that confines the
        transaction to the token's organization (to none when the token opens nothing).

        A query's snapshot begins with it. A mutation authenticates in a short transaction
        of its own, committed at once (as `apart`), so that `passwordChange` can still keep
        its bookkeeping apart from the mutation's transaction; an API key's stale stamp is
        then written in the same statement. A query's read-only snapshot cannot write it:
        `finish` stamps it afterwards, at most once a minute per key.

        With `spend` (client address, cost, budget) the same statement also spends the cost
        on the caller's rate limit, in a short write transaction of its own, committed at
        once (persistence/rate_limits.py); the operation's transaction begins afterwards.
        """
        values = (
            organization_id,
            api_key,
            secret_hash,
            str(self.db.settings.statement_timeout_ms),
        )
        if spend is not None:
            address, cost, budget = spend
            spending = (new_id(), address, cost, budget.units, budget.window_seconds)
            return await self._apart_statement(SPEND_AS_CALLER, values + spending)
        async with self._lock:
            if self.read_only:

                async def begin_snapshot(connection: AsyncConnection) -> Row[Any]:
                    await connection.execution_options(**READ_ONLY_SNAPSHOT)
                    await connection.begin()
                    return (await connection.exec_driver_sql(AUTHENTICATE, values)).one()

                row = await self._first_at_home(begin_snapshot)
                if row.credential_id is None and self._engine is not self.db.engine:
                    # Unknown to the replica, perhaps only not replayed yet (a `login` or
                    # `apiKeyCreate` just now): the primary decides, in a snapshot of its own.
                    await self._leave_replica()
                    row = await self._first_at_home(begin_snapshot)
                if row.stamp_due:
                    self._stamp = values
                return row
            connection = await self._connect(self.db.engine)
            if connection.in_transaction():
                raise RuntimeError("the operation's transaction has begun already")
            async with connection.begin():
                return (await connection.exec_driver_sql(AUTHENTICATE, values)).one()

    async def spend(self, address: str, cost: int, budget: Budget) -> Row[Any]:
        """An anonymous caller's spend on its client address's rate limit, committed at
        once, before the operation's transaction begins."""
        values = (new_id(), address, cost, budget.units, budget.window_seconds)
        return await self._apart_statement(SPEND_AS_ADDRESS, values)

    async def _apart_statement(self, statement: str, values: tuple[Any, ...]) -> Row[Any]:
        async with self._lock:
            connection = await self._connect(self.db.engine)
            if connection.in_transaction():
                raise RuntimeError("the operation's transaction has begun already")
            async with connection.begin():
                return (await connection.exec_driver_sql(statement, values)).one()

    async def read_alone(self, sql: str, values: tuple[Any, ...]) -> Any:
        """The first column of a read-only statement run alone, in its implicit transaction
        (no `BEGIN`/`ROLLBACK` round trips): for one that confines itself
        (`graph/compiler/known_callers.py`). Only before the operation's transaction begins;
        afterwards the operation may still begin one on the same connection."""
        async with self._lock:

            async def alone(connection: AsyncConnection) -> Any:
                return await scalar_on_driver(connection, sql, values)

            return await self._first_at_home(alone)

    @asynccontextmanager
    async def apart(self, organization_id: uuid.UUID | None) -> AsyncIterator[AsyncSession]:
        """A short transaction of its own on the operation's connection, confined to
        `organization_id` and committed when the block ends without an exception.

        For login bookkeeping, which must stand whatever happens to the operation. Only
        before the operation's transaction begins; a request still holds one connection at
        most.
        """
        async with self._lock:
            connection = await self._connect(self.db.engine)
            if connection.in_transaction():
                raise RuntimeError("the operation's transaction has begun already")
            async with connection.begin():
                session = AsyncSession(bind=connection, expire_on_commit=False, autoflush=False)
                try:
                    await self._confine(connection, organization_id)
                    yield session
                finally:
                    await session.close()  # joined: ending it leaves the transaction be

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The operation's connection in its transaction, for one statement at a time."""
        async with self._lock:
            yield await self._begun()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The operation's session, for one batch of work at a time."""
        async with self._lock:
            yield self._joined(await self._begun())

    async def _begun(self) -> AsyncConnection:
        if self._connection is not None and self._connection.in_transaction():
            return self._connection

        async def begin(connection: AsyncConnection) -> AsyncConnection:
            if self.read_only:
                await connection.execution_options(**READ_ONLY_SNAPSHOT)
            await connection.begin()
            await self._confine(connection, self._organization_id)
            return connection

        return await self._first_at_home(begin)

    async def _first_at_home(self, first: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run the transaction's first statement (or a statement alone) where the operation's
        transaction goes. A replica that cannot answer it is given up for the primary, and
        the statement runs there instead: nothing was answered yet."""
        home = self._home_engine()
        try:
            connection = await self._connect(home)
            if connection.in_transaction():
                raise RuntimeError("the operation's transaction has begun already")
            return await first(connection)
        except Exception as exc:
            if home is self.db.engine or self.db.replica is None or not is_unavailable(exc):
                raise
            self.db.replica.lost(exc)
            await self._drop_connection()
            self._home = self.db.engine
            return await first(await self._connect(self.db.engine))

    async def _leave_replica(self) -> None:
        """Start the operation's transaction over on the primary, before it read anything."""
        if self._connection is not None and self._connection.in_transaction():
            await self._connection.rollback()
        self._home = self.db.engine

    def _home_engine(self) -> AsyncEngine:
        """The transaction's engine, chosen once: the replica for a query while it is in
        use, else the primary."""
        if self._home is None:
            self._home = (
                self.db.reader() if self.read_only and self.replica_allowed else self.db.engine
            )
        return self._home

    async def _drop_connection(self) -> None:
        connection, self._connection, self._engine = self._connection, None, None
        if connection is not None:
            with suppress(Exception):  # already broken: only its pool slot matters
                await connection.invalidate()
            with suppress(Exception):
                await connection.close()

    def _joined(self, connection: AsyncConnection) -> AsyncSession:
        """An ORM session in the connection's transaction; it never ends that transaction."""
        if self._session is None:
            self._session = AsyncSession(bind=connection, expire_on_commit=False, autoflush=False)
        return self._session

    async def _confine(
        self, connection: AsyncConnection, organization_id: uuid.UUID | None
    ) -> None:
        """Confine a transaction, as it begins, to an organization, for row-level security.
        The connection's role is the app's own, which the policies hold
        (`persistence/roles.py`)."""
        await scope_transaction(
            connection,
            organization_id=organization_id,
            statement_timeout_ms=self.db.settings.statement_timeout_ms,
        )

    async def _connect(self, engine: AsyncEngine) -> AsyncConnection:
        """The operation's connection to `engine`. Before its transaction begins, a query
        that spent on its rate limit (on the primary) trades that connection for one to
        the replica: a request still holds one at most."""
        if self._finished:
            # A resolver still running after its operation ended (a sibling's error nulled
            # the whole result): opening a new connection now would leak it from the pool.
            raise OperationFinished("the operation has already finished")
        if self._connection is not None and self._engine is not engine:
            if self._connection.in_transaction():
                raise RuntimeError("the operation's transaction has begun already")
            connection, self._connection = self._connection, None
            await connection.close()
        if self._connection is None:
            started = time.perf_counter()
            self._connection = await engine.connect()
            self._engine = engine
            metrics.pool_waited(time.perf_counter() - started)
        return self._connection

    async def finish(self, *, commit: bool) -> None:
        """Commit (a mutation that met no bug) or roll back, and give the connection back."""
        async with self._lock:
            self._finished = True
            connection, session = self._connection, self._session
            if connection is None:
                return
            on_primary = self._engine is self.db.engine
            self._session = self._connection = self._engine = None
            try:
                if connection.in_transaction():
                    if commit and not self.read_only:
                        await connection.commit()
                    else:
                        await connection.rollback()
                if self._stamp is not None and on_primary:
                    await _stamp(connection, self._stamp)
            finally:
                if session is not None:
                    await session.close()
                await connection.close()
            if self._stamp is not None and not on_primary:  # a replica cannot write it
                await _stamp_on_primary(self.db.engine, self._stamp)


async def _stamp(connection: AsyncConnection, values: tuple[Any, ...]) -> None:
    """Record an API key's use: the authentication statement again, on its own in a
    writable transaction, stamps it unless another request did within the minute."""
    try:
        await connection.execution_options(isolation_level="AUTOCOMMIT", postgresql_readonly=False)
        await connection.exec_driver_sql(AUTHENTICATE, values)
    except Exception:  # bookkeeping: the operation's answer stands
        log.warning("could not stamp an API key's last use", exc_info=True)


async def _stamp_on_primary(engine: AsyncEngine, values: tuple[Any, ...]) -> None:
    """The stamp of a query the replica answered, on a connection of its own to the
    primary, taken after the replica's was given back."""
    try:
        async with engine.connect() as connection:
            await _stamp(connection, values)
    except Exception:  # the primary is away: the stamp is bookkeeping
        log.warning("could not stamp an API key's last use", exc_info=True)
