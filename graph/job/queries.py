"""Root query fields of the job domain."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.arguments import FILTER, ORDER, After, Before, First, Last
from graph.core.loaders import parse_uuid
from graph.core.nodes import NODE
from graph.core.pagination import Connection, RootList, order_of
from graph.core.permissions import IsAuthenticated
from graph.job.inputs import JobFilter, JobOrder
from graph.job.loaders import JobByIdLoader
from graph.job.types import Job
from persistence.job.repository import JobRepository
from persistence.pagination import Order


def _order(args: dict[str, object]) -> Order:
    given = args.get("order_by")
    return Order("created_at", descending=True) if given is None else order_of(given)


JOBS = RootList(JobRepository, _order)


@strawberry.type
class JobQueries:
    @strawberry.field(
        description="Jobs: your own, or every job of the organization for admins. Newest first.",
        permission_classes=[IsAuthenticated],
        metadata=JOBS.metadata,
    )
    async def jobs(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[JobFilter | None, FILTER] = None,
        order_by: Annotated[JobOrder | None, ORDER] = None,
    ) -> Connection[Job]:
        return await JOBS.resolve(
            info,
            {
                "first": first,
                "after": after,
                "last": last,
                "before": before,
                "filter": filter,
                "order_by": order_by,
            },
        )

    @strawberry.field(
        description="One job, if it is yours or you are an admin; null otherwise (also for "
        "an id that names no job).",
        permission_classes=[IsAuthenticated],
        metadata=NODE,
    )
    async def job(
        self,
        info: strawberry.Info,
        id: Annotated[relay.GlobalID, strawberry.argument(description="The job's id.")],
    ) -> Job | None:
        row_id = parse_uuid(id.node_id) if id.type_name == "Job" else None
        if row_id is None:  # like `node(id)`: an id of another type names no job
            return None
        return await info.context.loaders.get(JobByIdLoader).load(row_id)
