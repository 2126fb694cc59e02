"""The worker: claims due jobs from any organization and runs them, a few at a time.

Claiming goes through `khub_claim_job` (migration 0016), a SECURITY DEFINER function: the
worker connects as the app's login role, which row-level security confines to one
organization per transaction, yet must find the next job of any organization. The
function does exactly that (`FOR UPDATE SKIP LOCKED`, so two workers never take the same
job) and nothing more; everything after it — each step, the outcome — runs in the job's
organization as its requester, under row-level security.

Idle workers poll every `job_poll_ms` (one index probe): no LISTEN connection, so it works
the same behind PgBouncer in transaction mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, literal, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError

from persistence.audit.repository import AuditRepository
from persistence.database import Database
from persistence.errors import DomainError, translate
from persistence.job.kinds import HANDLERS, Handler, is_permanent
from persistence.job.models import Job, JobStatus
from persistence.job.run import JobCancelled, JobLost, JobRun, Lease, WorkerStopping
from persistence.settings import Settings

log = logging.getLogger("khub.worker")

CLAIM = text(
    "SELECT id, organization_id, requested_by_id, kind, params, attempt, requester_is_admin"
    " FROM khub_claim_job(:owner, :lease_seconds)"
)
MAX_ERROR_LENGTH = 2000


def error_message(exc: BaseException) -> str:
    """What the job's requester reads: a domain error's message (a constraint violation
    becomes one), else the exception's type and first line; never SQL text."""
    if isinstance(exc, DBAPIError):
        exc = translate(exc) or exc
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, DBAPIError):  # the statement's text is for the worker's log only
        return f"database error ({type(exc.orig).__name__}); see the worker's log"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"[:MAX_ERROR_LENGTH] if first else type(exc).__name__


async def claim(lease: Lease) -> JobRun | None:
    """The next due job of any organization, now RUNNING under this lease; None if none."""
    async with lease.db.transaction() as session:
        row = (
            await session.execute(CLAIM, {"owner": lease.owner, "lease_seconds": lease.seconds})
        ).first()
    if row is None:
        return None
    return JobRun(**row._asdict(), lease=lease)


class Worker:
    """Runs up to `concurrency` jobs at once until `stop()`; each slot holds its own lease."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        concurrency: int = 1,
        handlers: dict[str, Handler] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.db = db
        self.settings = settings
        self.concurrency = concurrency
        self.handlers = HANDLERS if handlers is None else handlers
        self.name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.stopping = asyncio.Event()

    def stop(self) -> None:
        """Claim nothing more; running jobs go back to the queue at their next step."""
        self.stopping.set()

    async def run(self) -> None:
        await asyncio.gather(*(self._slot(i) for i in range(self.concurrency)))

    async def _slot(self, number: int) -> None:
        lease = Lease(
            self.db, f"{self.name}/{number}", self.settings.job_lease_seconds, self.stopping
        )
        while not self.stopping.is_set():
            try:
                run = await claim(lease)
            except (OperationalError, DBAPIError, OSError) as exc:
                log.warning("worker: cannot claim jobs: %s", exc)
                run = None
            if run is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), self.settings.job_poll_ms / 1000)
                continue
            await self._execute(run, lease)

    async def _execute(self, run: JobRun, lease: Lease) -> None:
        handler = self.handlers.get(run.kind)
        log.info(
            "worker: %s runs job %s (%s), attempt %d", lease.owner, run.id, run.kind, run.attempt
        )
        try:
            if handler is None:
                raise LookupError(f"no handler for the job kind {run.kind!r}")
            result = await handler(run)
        except JobLost:
            log.warning("worker: lost the lease of job %s; left to its new holder", run.id)
            return
        except JobCancelled:
            await self._settle(run, lease, JobStatus.CANCELLED, action="jobFinish")
        except WorkerStopping:
            await self._settle(run, lease, JobStatus.QUEUED, action=None)
        except Exception as exc:  # the job failed, the worker did not
            log.warning("worker: job %s failed: %s", run.id, error_message(exc))
            await self._failed(run, lease, exc)
        else:
            await self._settle(run, lease, JobStatus.SUCCEEDED, action="jobFinish", result=result)

    async def _failed(self, run: JobRun, lease: Lease, exc: Exception) -> None:
        """Retry later with exponential back-off, or FAILED once attempts are used up or
        at once when the failure is permanent (bad input, a row gone: it would recur)."""
        message = error_message(exc)
        if is_permanent(run.kind, exc):
            await self._settle(run, lease, JobStatus.FAILED, action="jobFinish", error=message)
            return
        async with self.db.transaction(run.organization_id) as session:
            max_attempts = await session.scalar(
                select(Job.max_attempts).where(
                    Job.organization_id == run.organization_id, Job.id == run.id
                )
            )
        if max_attempts is not None and run.attempt < max_attempts:
            delay = timedelta(milliseconds=self.settings.job_retry_ms * 2 ** (run.attempt - 1))
            await self._settle(
                run, lease, JobStatus.QUEUED, action="jobRetry", error=message, delay=delay
            )
        else:
            await self._settle(run, lease, JobStatus.FAILED, action="jobFinish", error=message)

    async def _settle(
        self,
        run: JobRun,
        lease: Lease,
        status: JobStatus,
        *,
        action: str | None,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        delay: timedelta | None = None,
    ) -> None:
        """Record the job's outcome, if this worker still holds it; a job sent back to the
        queue by a stopping worker does not count the attempt."""
        values: dict[str, Any] = {
            "status": status,
            "lease_owner": None,
            "lease_expires_at": None,
            "version": Job.version + 1,
            "updated_at": func.now(),
        }
        if status == JobStatus.QUEUED:
            values["run_after"] = func.now() + (delay or timedelta())
            if action is None:
                values["attempts"] = Job.attempts - 1
        else:
            values["finished_at"] = func.now()
        if status == JobStatus.SUCCEEDED:
            values.update(progress=100, result=result or {}, error_message=None)
        if error is not None:
            values["error_message"] = error
        if action == "jobRetry":  # a cancel that arrived while it failed wins over a retry
            cancelled = literal(JobStatus.CANCELLED, Job.status.type)
            values["status"] = case(
                (Job.cancel_requested, cancelled), else_=literal(status, Job.status.type)
            )
            values["finished_at"] = case((Job.cancel_requested, func.now()), else_=None)
        try:
            async with self.db.transaction(run.organization_id) as session:
                settled = await session.scalar(
                    update(Job)
                    .where(
                        Job.organization_id == run.organization_id,
                        Job.id == run.id,
                        Job.status == JobStatus.RUNNING,
                        Job.lease_owner == lease.owner,
                    )
                    .values(**values)
                    .returning(Job.status)
                )
                if settled is not None and action is not None:
                    await AuditRepository(session, run.scope).record(
                        action=action,
                        entity_type="Job",
                        entity_id=run.id,
                        changes={"status": {"old": "RUNNING", "new": str(settled)}},
                    )
        except (OperationalError, DBAPIError, OSError) as exc:
            log.warning("worker: cannot record the outcome of job %s: %s", run.id, exc)
