"""Arguments of the job queries."""

from __future__ import annotations

import enum

import strawberry

from graph.core.pagination import OrderDirection
from graph.job.types import JobStatus
from persistence.job import repository


@strawberry.enum(description="What jobs can be ordered by.")
class JobOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.input(description="The order of a job list.")
class JobOrder:
    field: JobOrderField = strawberry.field(
        default=JobOrderField.CREATED_AT, description="The sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Ascending or descending."
    )


@strawberry.input(description="Which jobs to list; all conditions must hold.")
class JobFilter:
    status: JobStatus | None = strawberry.field(default=None, description="Only in this status.")
    kind: str | None = strawberry.field(default=None, description="Only of this kind.")

    def to_domain(self) -> repository.JobFilter:
        return repository.JobFilter(status=self.status, kind=self.kind)
