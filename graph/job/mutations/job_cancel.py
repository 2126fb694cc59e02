"""`jobCancel`: stop a job — a queued one at once, a running one at its next step."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWriteOwnAccount
from graph.job.types import Job
from persistence.job.repository import JobRepository

AUDITED = ("status", "cancel_requested", "finished_at")


@strawberry.input(description="The job to cancel.")
class JobCancelInput:
    id: relay.GlobalID = strawberry.field(description="A QUEUED or RUNNING job.")


@strawberry.type(description="Cancellation is recorded.")
class JobCancelSuccess:
    job: Job = strawberry.field(
        description="CANCELLED if it was queued; still RUNNING with `cancelRequested` until "
        "its next step otherwise."
    )


JobCancelResult = Annotated[
    JobCancelSuccess | ValidationError | NotFound,
    strawberry.union("JobCancelResult", description="The job, or why not."),
]


async def resolve(info: strawberry.Info, input: JobCancelInput) -> JobCancelResult:
    async def work(m: MutationContext) -> JobCancelSuccess:
        job_id = row_id(input.id, "Job", field="id")
        jobs = JobRepository(m.session, m.scope)
        before = snapshot(await jobs.get(job_id), AUDITED)
        job = await jobs.cancel(job_id)
        changes = diff(before, snapshot(job, AUDITED))
        await m.audit("jobCancel", "Job", job.id, changes)
        return JobCancelSuccess(job=job)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Cancel your job (admins: any job). A finished job is a ValidationError.",
    permission_classes=[CanWriteOwnAccount],
)
