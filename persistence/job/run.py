"""One job as its handler sees it: who asked, what for, and `step`, the only way it writes.

Each step is ONE transaction of the app's login role scoped to the job's organization and
acting as its requester (row-level security on, as for a request of theirs): it locks the
job's row, checks that this worker still holds the lease and that nobody asked to cancel,
runs the step's writes, stores the progress and renews the lease, and commits all of that
together. A crash between steps leaves whole steps only.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.changes import publish
from persistence.database import Database
from persistence.job.models import Job, JobStatus
from persistence.scope import Scope

T = TypeVar("T")


class JobCancelled(Exception):
    """Raised out of a step when cancellation was requested; the step committed nothing."""


class JobLost(Exception):
    """This worker no longer holds the job's lease (it ran out and another worker took the
    job): the step committed nothing and the job is left to its new holder."""


class WorkerStopping(Exception):
    """The worker is shutting down: the step committed nothing and the job goes back to
    the queue at once."""


@dataclass
class Lease:
    """How a job's steps reach the database, and who holds the job."""

    db: Database
    owner: str
    seconds: int
    stopping: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class JobRun:
    id: uuid.UUID
    organization_id: uuid.UUID
    requested_by_id: uuid.UUID
    kind: str
    params: dict[str, Any]
    attempt: int
    requester_is_admin: bool = False
    lease: Lease | None = field(default=None, repr=False)

    @property
    def scope(self) -> Scope:
        """The requester's scope in the job's organization, for the handler's repositories."""
        return Scope(
            self.organization_id, user_id=self.requested_by_id, is_admin=self.requester_is_admin
        )

    async def step(
        self,
        progress: int,
        message: str,
        write: Callable[[AsyncSession], Awaitable[T]] | None = None,
    ) -> T | None:
        """Run `write` and record `progress` (0-100) and `message`, in one transaction."""
        if not 0 <= progress <= 100:
            raise ValueError(f"progress must be between 0 and 100, got {progress}")
        if self.lease is None:
            raise RuntimeError("this job run holds no lease")
        lease = self.lease
        async with lease.db.transaction(self.organization_id) as session:
            await self._check(session, lease)
            result = await write(session) if write is not None else None
            await session.execute(
                update(Job)
                .where(*self._row())
                .values(
                    progress=progress,
                    message=message,
                    lease_expires_at=func.clock_timestamp() + timedelta(seconds=lease.seconds),
                    version=Job.version + 1,
                    updated_at=func.now(),
                )
            )
            await publish(
                session,
                organization_id=self.organization_id,
                audit_event_id=None,
                action="jobProgress",
                entity_type="Job",
                entity_id=self.id,
            )
        return result

    def _row(self) -> list[Any]:
        return [Job.organization_id == self.organization_id, Job.id == self.id]

    async def _check(self, session: AsyncSession, lease: Lease) -> None:
        """Lock the job's row (a cancel waits for the step, or the step sees the cancel)."""
        held = and_(Job.status == JobStatus.RUNNING, Job.lease_owner == lease.owner)
        found = (
            await session.execute(
                select(Job.cancel_requested, held).where(*self._row()).with_for_update()
            )
        ).first()
        if found is None or not found[1]:
            raise JobLost(f"job {self.id} is no longer held by {lease.owner}")
        if found[0]:
            raise JobCancelled(f"job {self.id} was cancelled")
        if lease.stopping.is_set():
            raise WorkerStopping(f"the worker {lease.owner} is stopping")
