"""What the `jobStart…` mutations share: enqueue a job of one kind, audited."""

from __future__ import annotations

from typing import Any

import strawberry

from graph.core.mutations import MutationContext
from graph.job.types import Job
from persistence.job.repository import JobRepository


@strawberry.type(description="The job is queued; follow it with `job(id)` or `jobProgress`.")
class JobStartSuccess:
    job: Job = strawberry.field(description="The new job, QUEUED.")


async def enqueue(m: MutationContext, kind: str, params: dict[str, Any]) -> JobStartSuccess:
    """Queue a job of `kind` requested by the caller, audited as `job<Kind>Start`."""
    job = await JobRepository(m.session, m.scope).enqueue(kind, params, m.viewer.user_id)
    action = f"jobStart{kind.title()}"
    await m.audit(action, "Job", job.id, {"kind": {"old": None, "new": kind}})
    return JobStartSuccess(job=job)
