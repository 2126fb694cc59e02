"""`resourceUpdate`: change a resource's fields, if nobody changed it since it was read."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.resource.types import Resource, ResourceKind
from persistence import errors as domain
from persistence.resource.repository import ResourceRepository, checked_quality, checked_url

UPDATABLE = ("url", "kind", "title", "description", "quality_score")


@strawberry.input(description="Fields to change; leave out what stays the same.")
class ResourceUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The resource.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    url: str | None = strawberry.field(default=strawberry.UNSET, description="New URL.")
    kind: ResourceKind | None = strawberry.field(default=strawberry.UNSET, description="New kind.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description."
    )
    quality_score: float | None = strawberry.field(
        default=strawberry.UNSET, description="New quality score, from 0 to 1."
    )


@strawberry.type(description="The resource was changed.")
class ResourceUpdateSuccess:
    resource: Resource = strawberry.field(description="The resource as it is now.")


ResourceUpdateResult = Annotated[
    ResourceUpdateSuccess | ValidationError | NotFound | VersionConflict,
    strawberry.union("ResourceUpdateResult", description="The changed resource, or why not."),
]


def _changes(input: ResourceUpdateInput) -> dict[str, Any]:
    """The fields the client set, checked; none of them may be null."""
    changes: dict[str, Any] = {}
    for name in UPDATABLE:
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        if value is None:
            raise domain.ValidationError(name, f"{name.replace('_', ' ')} cannot be null")
        changes[name] = value
    if "url" in changes:
        changes["url"] = checked_url(changes["url"])
    if "quality_score" in changes:
        checked_quality(changes["quality_score"])
    return changes


async def resolve(info: strawberry.Info, input: ResourceUpdateInput) -> ResourceUpdateResult:
    async def work(m: MutationContext) -> ResourceUpdateSuccess:
        resources = ResourceRepository(m.session, m.scope)
        resource_id = row_id(input.id, "Resource", field="id")
        changes = _changes(input)
        before = snapshot(await resources.get(resource_id), UPDATABLE)
        updated = await resources.update(
            resource_id, expected_version=input.expected_version, **changes
        )
        changed = diff(before, snapshot(updated, UPDATABLE))
        await m.audit("resourceUpdate", "Resource", resource_id, changed)
        return ResourceUpdateSuccess(resource=updated)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Change a resource (EDITOR or ADMIN), checking `expectedVersion`.",
    permission_classes=[CanWrite],
)
