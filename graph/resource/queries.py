"""Root query fields of the resource domain."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.pagination import Connection, RootList, ordered_by
from graph.core.permissions import IsAuthenticated
from graph.resource.inputs import ResourceFilter, ResourceOrder
from graph.resource.types import Resource
from persistence.resource.repository import ResourceRepository

RESOURCES = RootList(ResourceRepository, ordered_by("created_at"))


@strawberry.type
class ResourceQueries:
    @strawberry.field(
        description="The organization's resources.",
        permission_classes=[IsAuthenticated],
        metadata=RESOURCES.metadata,
    )
    async def resources(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[ResourceFilter | None, FILTER] = None,
        order_by: Annotated[ResourceOrder | None, ORDER] = None,
        include_deleted: IncludeDeleted = False,
    ) -> Connection[Resource]:
        return await RESOURCES.resolve(
            info,
            {
                "first": first,
                "after": after,
                "last": last,
                "before": before,
                "filter": filter,
                "order_by": order_by,
                "include_deleted": include_deleted,
            },
        )
