"""Root query fields of the collection domain."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.collection.inputs import CollectionFilter, CollectionOrder
from graph.collection.types import Collection
from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.pagination import Connection, order_of, paginate
from graph.core.permissions import IsAuthenticated
from graph.document.queries import admin_only_deleted
from persistence.collection.repository import CollectionRepository


@strawberry.type
class CollectionQueries:
    @strawberry.field(
        description="Collections the caller may see.", permission_classes=[IsAuthenticated]
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
        return await paginate(
            info,
            CollectionRepository,
            first=first,
            after=after,
            last=last,
            before=before,
            order=order_of(order_by, default="name"),
            filter=filter.to_domain() if filter else None,
            include_deleted=admin_only_deleted(info, include_deleted),
        )
