"""Root query fields of the document domain."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.pagination import Connection, RootList, ordered_by
from graph.core.permissions import IsAuthenticated
from graph.document.inputs import DocumentFilter, DocumentOrder
from graph.document.types import Document, Tag
from persistence.document.repository import DocumentRepository, TagRepository
from persistence.pagination import Order

DOCUMENTS = RootList(DocumentRepository, ordered_by("created_at"))
TAGS = RootList(TagRepository, lambda args: Order("name"), filter=lambda args: None)


@strawberry.type
class DocumentQueries:
    @strawberry.field(
        description="Documents the caller may see.",
        permission_classes=[IsAuthenticated],
        metadata=DOCUMENTS.metadata,
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
        return await DOCUMENTS.resolve(
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

    @strawberry.field(
        description="The organization's tags, by name.",
        permission_classes=[IsAuthenticated],
        metadata=TAGS.metadata,
    )
    async def tags(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[Tag]:
        return await TAGS.resolve(
            info,
            {"first": first, "after": after, "last": last, "before": before},
        )
