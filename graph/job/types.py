"""Processing jobs as GraphQL types."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.loaders import related
from graph.core.nodes import LoadedNode
from graph.core.types import RowType
from graph.files.signing import download_url
from graph.job.loaders import JobByIdLoader
from graph.user.loaders import UserOnRecordByIdLoader
from graph.user.types import User
from persistence.job import models

JobStatus = strawberry.enum(models.JobStatus, description="Where a job is in its life.")


@strawberry.type(description="Background work (reindex, purge, import, export) and its progress.")
class Job(RowType, LoadedNode):
    model = models.Job
    loader = JobByIdLoader

    id: relay.NodeID[str]
    kind: str = strawberry.field(description="What the job does: reindex, purge, import, export.")
    status: JobStatus = strawberry.field(description="Queued, running or how it ended.")
    progress: int = strawberry.field(description="Percent done, 0-100.")
    message: str = strawberry.field(description="What the job is doing now, for people.")
    attempts: int = strawberry.field(description="Runs started so far (retries included).")
    max_attempts: int = strawberry.field(description="Runs allowed before it FAILED.")
    error_message: str | None = strawberry.field(description="Why the last run failed.")
    params: JSON = strawberry.field(description="What the job was asked to do.")
    result: JSON | None = strawberry.field(description="Its result summary, once SUCCEEDED.")
    cancel_requested: bool = strawberry.field(description="Someone asked it to stop.")
    run_after: datetime = strawberry.field(description="Not run before this (retry back-off).")
    started_at: datetime | None = strawberry.field(description="When it first started.")
    finished_at: datetime | None = strawberry.field(description="When it ended.")
    version: int = strawberry.field(description="Bumped on every change, progress included.")
    created_at: datetime = strawberry.field(description="When it was requested.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    requested_by: User = related(
        UserOnRecordByIdLoader, key="requested_by_id", description="Who asked for it."
    )

    @strawberry.field(
        description="For a SUCCEEDED export, and only for its requester: a signed link to "
        "download the archive once, valid for a few minutes (KHUB_DOWNLOAD_URL_TTL_SECONDS); "
        "ask again for a fresh one. Null otherwise. Signed by the server with its key, so "
        "selecting it runs the operation on the reference executor."
    )
    def download_url(self, info: strawberry.Info) -> str | None:
        context = info.context
        row: models.Job = self  # type: ignore[assignment]  # RowType: the value is the row
        file_id = (row.result or {}).get("fileId")
        if (
            row.kind != "export"
            or row.status != models.JobStatus.SUCCEEDED
            or row.requested_by_id != context.viewer.user_id
            or not file_id
        ):
            return None
        return download_url(
            context.request.app.state.signing_key,
            uuid.UUID(file_id),
            ttl_seconds=context.settings.download_url_ttl_seconds,
        )
