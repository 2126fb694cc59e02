"""`jobStartPurge`: queue a purge job (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import ValidationError
from graph.core.mutations import MutationContext, run
from graph.core.permissions import IsAdminWriter
from graph.job.mutations.job_start import JobStartSuccess, enqueue
from persistence.job.reindex import DEFAULT_BATCH, MAX_BATCH, batch_size


@strawberry.input(description="How to run the purge job.")
class JobStartPurgeInput:
    batch_size: int = strawberry.field(
        default=DEFAULT_BATCH,
        description=f"Rows per batch, each committed with the progress (1-{MAX_BATCH}).",
    )


JobStartPurgeResult = Annotated[
    JobStartSuccess | ValidationError,
    strawberry.union("JobStartPurgeResult", description="The queued job, or why not."),
]


async def resolve(info: strawberry.Info, input: JobStartPurgeInput) -> JobStartPurgeResult:
    async def work(m: MutationContext) -> JobStartSuccess:
        params = {"batch_size": input.batch_size}
        batch_size(params)  # refused now, not when a worker gets to it
        return await enqueue(m, "purge", params)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Delete for good the rows soft-deleted longer ago than the organization's retention (30 "
        "days), keeping their audit trail, in batches, as a background job (ADMIN only)."
    ),
    permission_classes=[IsAdminWriter],
)
