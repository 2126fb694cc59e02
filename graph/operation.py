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
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from persistence.database import READ_ONLY_SNAPSHOT, Database, scope_transaction

Authenticator = Callable[[AsyncSession], Awaitable[uuid.UUID | None]]


class OperationFinished(RuntimeError):
    """Work asked for the connection after the operation gave it back."""


class Operation:
    """The lazily opened connection and transaction of one GraphQL operation."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.read_only = True
        self._lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None
        self._organization_id: uuid.UUID | None = None
        self._finished = False

    async def authenticate(self, authenticator: Authenticator) -> None:
        """Resolve the caller in a short transaction of its own, before the operation's.

        It may write (an API key's last use), which a read-only snapshot could not; it runs
        on the operation's connection, so a request still holds one connection at most.
        """
        async with self._lock:
            session = await self._open()
            async with session.begin():
                self._organization_id = await authenticator(session)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """The operation's session, for one batch of work at a time."""
        async with self._lock:
            session = await self._open()
            if not session.in_transaction():
                if self.read_only and self._connection is not None:
                    await self._connection.execution_options(**READ_ONLY_SNAPSHOT)
                await session.begin()
                await self.apply_scope(session, self._organization_id)
            yield session

    async def apply_scope(self, session: AsyncSession, organization_id: uuid.UUID | None) -> None:
        """Confine the open transaction to an organization, as the application role that
        row-level security applies to (login learns the organization mid-operation)."""
        settings = self.db.settings
        await scope_transaction(
            session,
            organization_id=organization_id,
            statement_timeout_ms=settings.statement_timeout_ms,
            role=settings.app_role or None,
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
