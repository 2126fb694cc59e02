"""Jobs as their requesters and admins see them, and the writes requests make: enqueue and
cancel. The worker's writes go through `persistence/job/worker.py` and `JobRun.step`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, update

from persistence.errors import ValidationError
from persistence.job.models import DEFAULT_MAX_ATTEMPTS, Job, JobStatus
from persistence.relation import Rows
from persistence.repository import Repository


@dataclass(frozen=True)
class JobFilter:
    status: JobStatus | None = None
    kind: str | None = None


class JobRepository(Repository[Job]):
    """Jobs: requesters see their own, admins every job of the organization."""

    model = Job
    entity = "job"
    sort_keys = {"created_at": Job.created_at, "updated_at": Job.updated_at}

    def visible(self) -> list[ColumnElement[bool]]:
        if self.scope.is_admin:
            return []
        if self.scope.user_id is None:
            return [false()]
        return [Job.requested_by_id == self.scope.user_id]

    def filters(self, filter: JobFilter) -> list[Any]:
        clauses: list[Any] = []
        if filter.status is not None:
            clauses.append(Job.status == filter.status)
        if filter.kind is not None:
            clauses.append(Job.kind == filter.kind)
        return clauses

    async def enqueue(
        self,
        kind: str,
        params: dict[str, Any],
        requested_by_id: uuid.UUID,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> Job:
        """A new QUEUED job; the worker runs it once the caller's transaction commits."""
        return await self.create(
            kind=kind, params=params, requested_by_id=requested_by_id, max_attempts=max_attempts
        )

    async def cancel(self, id: uuid.UUID) -> Job:
        """Cancel a job: a queued one at once, a running one at its next step."""
        queued = Job.status == JobStatus.QUEUED
        stmt = (
            update(Job)
            .where(
                Job.organization_id == self.scope.organization_id,
                Job.id == id,
                Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
                *self.visible(),
            )
            .values(
                cancel_requested=True,
                status=case((queued, JobStatus.CANCELLED), else_=Job.status),
                finished_at=case((queued, func.now()), else_=Job.finished_at),
                version=Job.version + 1,
                updated_at=func.now(),
            )
            .returning(Job)
        )
        job = (await self._run(stmt)).scalars().first()
        if job is None:
            finished = await self.get(id)  # NotFound when absent or not the caller's
            raise ValidationError("id", f"the job has already finished ({finished.status})")
        return job


JOB_BY_ID = Rows(JobRepository)
