"""Root query fields of the collection domain."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.collection.inputs import CollectionFilter, CollectionOrder
from graph.collection.types import Collection
from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.pagination import Connection, RootList, ordered_by
from graph.core.permissions import IsAuthenticated
from persistence.collection.repository import CollectionRepository

COLLECTIONS = RootList(CollectionRepository, ordered_by("name"))


@strawberry.type
class CollectionQueries:
    @strawberry.field(
        description="Collections the caller may see.",
        permission_classes=[IsAuthenticated],
        metadata=COLLECTIONS.metadata,
    )
    async def collections(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[CollectionFilter | None, FILTER] = None,
        order_by: Annotated[CollectionOrder | None, ORDER] = None,
        include_deleted: IncludeDeleted = False,
    ) -> Connection[Collection]:
        return await COLLECTIONS.resolve(
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
