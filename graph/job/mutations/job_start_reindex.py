"""`jobStartReindex`: queue a reindex job (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import ValidationError
from graph.core.mutations import MutationContext, run
from graph.core.permissions import IsAdminWriter
from graph.job.mutations.job_start import JobStartSuccess, enqueue
from persistence.job.reindex import DEFAULT_BATCH, MAX_BATCH, batch_size


@strawberry.input(description="How to run the reindex job.")
class JobStartReindexInput:
    batch_size: int = strawberry.field(
        default=DEFAULT_BATCH,
        description=f"Rows per batch, each committed with the progress (1-{MAX_BATCH}).",
    )


JobStartReindexResult = Annotated[
    JobStartSuccess | ValidationError,
    strawberry.union("JobStartReindexResult", description="The queued job, or why not."),
]


async def resolve(info: strawberry.Info, input: JobStartReindexInput) -> JobStartReindexResult:
    async def work(m: MutationContext) -> JobStartSuccess:
        params = {"batch_size": input.batch_size}
        batch_size(params)  # refused now, not when a worker gets to it
        return await enqueue(m, "reindex", params)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Recompute every document's search vector, in batches, as a background job (ADMIN only)."
    ),
    permission_classes=[IsAdminWriter],
)
