"""`resourceDelete`: soft-delete a resource (its owner or an admin)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.resource.types import Resource
from persistence.resource.repository import ResourceRepository

AUDITED = ("deleted_at",)


@strawberry.input(description="The resource to delete.")
class ResourceDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The resource.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="The version you read, if you want a VersionConflict when it is stale.",
    )


@strawberry.type(description="The resource was deleted.")
class ResourceDeleteSuccess:
    resource: Resource = strawberry.field(description="The resource, with `deletedAt`.")


ResourceDeleteResult = Annotated[
    ResourceDeleteSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("ResourceDeleteResult", description="The deleted resource, or why not."),
]


async def resolve(info: strawberry.Info, input: ResourceDeleteInput) -> ResourceDeleteResult:
    async def work(m: MutationContext) -> ResourceDeleteSuccess | PermissionDenied:
        resources = ResourceRepository(m.session, m.scope)
        resource_id = row_id(input.id, "Resource", field="id")
        current = await resources.get(resource_id)
        if current.owner_id != m.viewer.user_id and not m.viewer.is_admin:
            return PermissionDenied(message="only the owner or an admin may delete a resource")
        before = snapshot(current, AUDITED)
        deleted = await resources.soft_delete(resource_id, expected_version=input.expected_version)
        await m.audit(
            "resourceDelete", "Resource", resource_id, diff(before, snapshot(deleted, AUDITED))
        )
        return ResourceDeleteSuccess(resource=deleted)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Soft-delete a resource: it disappears from reads and links. Only its owner or an"
        " ADMIN may (others get PermissionDenied)."
    ),
    permission_classes=[CanWrite],
)
