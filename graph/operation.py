"""One database connection per GraphQL operation, shared safely by concurrent resolvers.

Resolvers run concurrently, and neither an AsyncSession nor an asyncpg connection may be
used by two tasks at once. So an operation opens its connection lazily, the first time a
resolver needs it, and hands it out under a lock: one loader batch at a time. Queries run in
one read-only REPEATABLE READ transaction (a consistent snapshot); a mutation runs in one
read-write transaction, committed only when the operation finishes without a bug.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from persistence.database import READ_ONLY_SNAPSHOT, Database, scope_transaction


class OperationFinished(RuntimeError):
    """Work asked for the connection after the operation gave it back."""


class Operation:
    """The lazily opened connection and transaction of one GraphQL operation.

    Its organization is fixed once, by authentication (or by the `login` that makes up the
    whole operation), before its transaction begins, and never changes afterwards: the
    transaction is confined to it when it begins.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.read_only = True
        self._lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None
        self._organization_id: uuid.UUID | None = None
        self._identified = False
        self._finished = False

    def identify(self, organization_id: uuid.UUID | None) -> None:
        """Fix the organization the operation's transaction is confined to; once only."""
        if self._identified:
            raise RuntimeError("an operation's organization is fixed once it is known")
        self._organization_id = organization_id
        self._identified = True

    @asynccontextmanager
    async def apart(self, organization_id: uuid.UUID | None) -> AsyncIterator[AsyncSession]:
        """A short transaction of its own on the operation's connection, confined to
        `organization_id` and committed when the block ends without an exception.

        For authentication (an API key's last use is a write, which a read-only snapshot
        could not make) and login bookkeeping, which must stand whatever happens to the
        operation. Only before the operation's transaction begins; a request still holds
        one connection at most.
        """
        async with self._lock:
            session = await self._open()
            if session.in_transaction():
                raise RuntimeError("the operation's transaction has begun already")
            async with session.begin():
                await self._confine(session, organization_id)
                yield session

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The operation's session, for one batch of work at a time."""
        async with self._lock:
            session = await self._open()
            if not session.in_transaction():
                if self.read_only and self._connection is not None:
                    await self._connection.execution_options(**READ_ONLY_SNAPSHOT)
                await session.begin()
                await self._confine(session, self._organization_id)
            yield session

    async def _confine(self, session: AsyncSession, organization_id: uuid.UUID | None) -> None:
        """Confine a transaction, as it begins, to an organization, for row-level security.
        The connection's role is the app's own, which the policies hold
        (`persistence/roles.py`)."""
        await scope_transaction(
            session,
            organization_id=organization_id,
            statement_timeout_ms=self.db.settings.statement_timeout_ms,
        )

    async def _open(self) -> AsyncSession:
        if self._finished:
            # A resolver still running after its operation ended (a sibling's error nulled
            # the whole result): opening a new connection now would leak it from the pool.
            raise OperationFinished("the operation has already finished")
        if self._session is None:
            self._connection = await self.db.engine.connect()
            self._session = AsyncSession(
                bind=self._connection, expire_on_commit=False, autoflush=False
            )
        return self._session

    async def finish(self, *, commit: bool) -> None:
        """Commit (a mutation that met no bug) or roll back, and give the connection back."""
        async with self._lock:
            self._finished = True
            if self._session is None:
                return
            try:
                if self._session.in_transaction():
                    if commit and not self.read_only:
                        await self._session.commit()
                    else:
                        await self._session.rollback()
            finally:
                await self._session.close()
                if self._connection is not None:
                    await self._connection.close()
                self._session = self._connection = None
