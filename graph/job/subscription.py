"""`jobProgress(id)`: a job's progress pushed as its steps commit, on the change feed every
subscription shares (each step sends a notice, `persistence/job/run.py`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from graph.core.ids import query_row_id
from graph.core.permissions import IsAuthenticated
from graph.job.types import Job
from graph.subscription import reads
from graph.subscription.types import ChangeKind
from graph.subscription.watch import changes
from persistence.job.models import FINISHED
from persistence.job.repository import JobRepository


@strawberry.type(description="A job moved on, or some of its changes were missed.")
class JobProgressEvent:
    kind: ChangeKind = strawberry.field(description="UPDATED, or MISSED_EVENTS.")
    job: Job | None = strawberry.field(
        description="The job as it is now; null only for MISSED_EVENTS (query `job(id)`)."
    )


@strawberry.type
class JobSubscriptions:
    @strawberry.subscription(
        description="A job's progress, status and result as they change, until it ends "
        "(its last event has the final status). Your own jobs, or any job for admins.",
        permission_classes=[IsAuthenticated],
    )
    async def job_progress(
        self,
        info: Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The job's id.")],
    ) -> AsyncGenerator[JobProgressEvent, None]:
        job_id = query_row_id(id, "Job", field="id")
        async with aclosing(changes(info, frozenset({"Job"}))) as stream:
            async for change in stream:
                if change is None:
                    yield JobProgressEvent(kind=ChangeKind.MISSED_EVENTS, job=None)
                    continue
                if change.entity_id != job_id:
                    continue
                job = await reads.row(info.context, JobRepository, job_id)
                if job is None:
                    continue
                yield JobProgressEvent(kind=ChangeKind.UPDATED, job=job)
                if job.status in FINISHED:
                    return
