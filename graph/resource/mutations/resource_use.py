"""`resourceUse`: count one use of a resource, atomically."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanRecordUse
from graph.resource.types import Resource
from persistence.resource.repository import ResourceRepository


@strawberry.input(description="The resource that was used.")
class ResourceUseInput:
    id: relay.GlobalID = strawberry.field(description="The resource.")


@strawberry.type(description="The use was counted.")
class ResourceUseSuccess:
    resource: Resource = strawberry.field(description="The resource with its new usage count.")


ResourceUseResult = Annotated[
    ResourceUseSuccess | ValidationError | NotFound,
    strawberry.union("ResourceUseResult", description="The counted resource, or why not."),
]


async def resolve(info: strawberry.Info, input: ResourceUseInput) -> ResourceUseResult:
    async def work(m: MutationContext) -> ResourceUseSuccess:
        resource_id = row_id(input.id, "Resource", field="id")
        used = await ResourceRepository(m.session, m.scope).use(resource_id)
        count = used.usage_count
        changes = {"usage_count": {"old": count - 1, "new": count}}
        await m.audit("resourceUse", "Resource", resource_id, changes)
        return ResourceUseSuccess(resource=used)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Count one use of a resource (any member, write scope). Concurrent uses are all"
        " counted: the count is incremented in one statement. Not an edit: the version stays."
    ),
    permission_classes=[CanRecordUse],
)
