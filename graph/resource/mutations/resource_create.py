"""`resourceCreate`: register external material at a URL."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import ValidationError
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.resource.types import Resource, ResourceKind
from persistence.resource.repository import ResourceRepository, checked_quality, checked_url

AUDITED = ("url", "kind", "title", "description", "quality_score", "owner_id")


@strawberry.input(description="New external material.")
class ResourceCreateInput:
    url: str = strawberry.field(description="An absolute http:// or https:// URL.")
    kind: ResourceKind = strawberry.field(description="What kind of material it is.")
    title: str = strawberry.field(description="What it is called (not blank).")
    description: str = strawberry.field(default="", description="What it holds.")
    quality_score: float = strawberry.field(default=0.5, description="From 0 to 1.")


@strawberry.type(description="The resource was created.")
class ResourceCreateSuccess:
    resource: Resource = strawberry.field(description="The new resource.")


ResourceCreateResult = Annotated[
    ResourceCreateSuccess | ValidationError,
    strawberry.union("ResourceCreateResult", description="The new resource, or why not."),
]


async def resolve(info: strawberry.Info, input: ResourceCreateInput) -> ResourceCreateResult:
    async def work(m: MutationContext) -> ResourceCreateSuccess:
        resource = await ResourceRepository(m.session, m.scope).create(
            url=checked_url(input.url),
            kind=input.kind,
            title=input.title,
            description=input.description,
            quality_score=checked_quality(input.quality_score),
            owner_id=m.viewer.user_id,
        )
        changes = diff({}, snapshot(resource, AUDITED))
        await m.audit("resourceCreate", "Resource", resource.id, changes)
        return ResourceCreateSuccess(resource=resource)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Register a resource owned by the caller (EDITOR or ADMIN).",
    permission_classes=[CanWrite],
)
