"""What the import and export kinds need of a job run (persistence/job/run.py's JobRun),
and the scope they act in: the requester's, as a request by that user gets it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import NotFound
from persistence.scope import Scope
from persistence.user.models import Role, User, UserRole

T = TypeVar("T")


class Run(Protocol):
    """A running job: each `step` is one committed transaction confined to the job's
    organization, which stores the progress and raises JobCancelled instead of committing
    once cancellation was requested."""

    id: uuid.UUID
    organization_id: uuid.UUID
    requested_by_id: uuid.UUID
    params: dict[str, Any]

    async def step(
        self,
        progress: int,
        message: str,
        write: Callable[[AsyncSession], Awaitable[T]] | None = None,
    ) -> T | None: ...


class RequesterGone(NotFound):
    """The user who asked for the job was deactivated or deleted before it ran."""


async def requester_scope(session: AsyncSession, run: Run) -> tuple[Scope, frozenset[Role]]:
    """The requester's scope and roles now (they may have changed since the job was asked
    for): private rows stay theirs and admins', as in their own requests."""
    org = run.organization_id
    active = await session.scalar(
        select(User.id).where(
            User.organization_id == org,
            User.id == run.requested_by_id,
            User.is_active.is_(True),
            User.deleted_at.is_(None),
        )
    )
    if active is None:
        raise RequesterGone("user", run.requested_by_id)
    roles = frozenset(
        (
            await session.scalars(
                select(UserRole.role).where(
                    UserRole.organization_id == org, UserRole.user_id == run.requested_by_id
                )
            )
        ).all()
    )
    scope = Scope(org, user_id=run.requested_by_id, is_admin=Role.ADMIN in roles)
    return scope, roles


def progress_between(start: int, end: int, done: int, total: int) -> int:
    """Progress from `start` to `end` as `done` of `total` items are written."""
    if total <= 0:
        return end
    return start + (end - start) * min(done, total) // total
