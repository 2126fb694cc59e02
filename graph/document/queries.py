"""Root query fields of the document domain."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.errors import Forbidden
from graph.core.pagination import Connection, order_of, paginate
from graph.core.permissions import IsAuthenticated
from graph.document.inputs import DocumentFilter, DocumentOrder
from graph.document.types import Document, Tag
from persistence.document.repository import DocumentRepository, TagRepository
from persistence.pagination import Order


def admin_only_deleted(info: strawberry.Info, include_deleted: bool) -> bool:
    if include_deleted and not info.context.viewer.is_admin:
        raise Forbidden("only admins may list deleted rows")
    return include_deleted


@strawberry.type
class DocumentQueries:
    @strawberry.field(
        description="Documents the caller may see.", permission_classes=[IsAuthenticated]
    )
    async def documents(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[DocumentFilter | None, FILTER] = None,
        order_by: Annotated[DocumentOrder | None, ORDER] = None,
        include_deleted: IncludeDeleted = False,
    ) -> Connection[Document]:
        return await paginate(
            info,
            DocumentRepository,
            first=first,
            after=after,
            last=last,
            before=before,
            order=order_of(order_by),
            filter=filter.to_domain() if filter else None,
            include_deleted=admin_only_deleted(info, include_deleted),
        )

    @strawberry.field(
        description="The organization's tags, by name.", permission_classes=[IsAuthenticated]
    )
    async def tags(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Tag]:
        return await paginate(
            info,
            TagRepository,
            first=first,
            after=after,
            last=last,
            before=before,
            order=Order("name"),
        )
