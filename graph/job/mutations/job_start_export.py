"""`jobStartExport`: queue an export of what the caller may see (any role)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import ValidationError
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from graph.job.mutations.job_start import JobStartSuccess, enqueue
from persistence import errors

MAX_LABEL = 200


@strawberry.input(description="How to label the export; `{}` is a plain export.")
class JobStartExportInput:
    label: str | None = strawberry.field(
        default=None,
        description=f"A note for people, kept in the job's `params` (at most {MAX_LABEL} "
        "characters).",
    )


JobStartExportResult = Annotated[
    JobStartSuccess | ValidationError,
    strawberry.union("JobStartExportResult", description="The queued job, or why not."),
]


async def resolve(info: strawberry.Info, input: JobStartExportInput) -> JobStartExportResult:
    async def work(m: MutationContext) -> JobStartSuccess:
        if input.label is not None and len(input.label) > MAX_LABEL:
            raise errors.ValidationError("label", f"a label has at most {MAX_LABEL} characters")
        return await enqueue(m, "export", {"label": input.label} if input.label else {})

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Export the organization's content as you may see it (admins: everything) to a zip "
        "of JSON Lines, as a background job; once it SUCCEEDED, `Job.downloadUrl` gives you "
        "a link to download it once. Any role, with a write-scoped credential."
    ),
    permission_classes=[CanWriteOwnAccount],
)
