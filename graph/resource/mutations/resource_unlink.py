"""`resourceUnlink`: take a resource's links to documents and knowledge nodes away."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import NotFound, ValidationError
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWrite
from graph.resource.mutations.links import ResourceLinksInput, ResourceLinksSuccess, audit, targets
from persistence.resource.repository import ResourceRepository

ResourceUnlinkResult = Annotated[
    ResourceLinksSuccess | ValidationError | NotFound,
    strawberry.union("ResourceUnlinkResult", description="The unlinked resource, or why not."),
]


async def resolve(info: strawberry.Info, input: ResourceLinksInput) -> ResourceUnlinkResult:
    async def work(m: MutationContext) -> ResourceLinksSuccess:
        chosen = await targets(m, input)
        resources = ResourceRepository(m.session, m.scope)
        await resources.unlink(
            chosen.resource_id, document_ids=chosen.document_ids, node_ids=chosen.node_ids
        )
        await audit(m, "resourceUnlink", chosen)
        return ResourceLinksSuccess(resource=await resources.get(chosen.resource_id))

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Unlink a resource from documents and knowledge nodes (EDITOR or ADMIN); pairs that"
        " were not linked are no error."
    ),
    permission_classes=[CanWrite],
)
