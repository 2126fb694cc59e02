"""Collections (the folder tree) as GraphQL types."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from graph.collection.loaders import (
    AncestorsByCollectionLoader,
    ChildrenByCollectionLoader,
    CollectionByIdLoader,
    DocumentCountByCollectionTreeLoader,
)
from graph.core.enums import Visibility
from graph.core.loaders import Counted, related
from graph.core.nodes import LoadedNode
from graph.core.pagination import Connection, nested_connection
from graph.core.types import RowType
from graph.document.loaders import DocumentsByCollectionLoader
from graph.user.loaders import UserOnRecordByIdLoader
from graph.user.types import User
from persistence.collection import models
from persistence.collection.repository import DOCUMENTS_BELOW
from persistence.document.repository import DOCUMENT_COUNT_BY_COLLECTION

if TYPE_CHECKING:
    from graph.document.types import Document

DocumentRef = Annotated["Document", strawberry.lazy("graph.document.types")]


DOCUMENT_COUNT = Counted(
    "id",
    lambda args: (
        (DOCUMENTS_BELOW,) if args.get("include_descendants") else (DOCUMENT_COUNT_BY_COLLECTION,)
    ),
)
"""`documentCount` as the compiled read path reads it; `DocumentCountByCollectionTreeLoader`
counts the same rows."""


@strawberry.type(description="A folder of documents; collections nest into a tree.")
class Collection(RowType, LoadedNode):
    model = models.Collection
    loader = CollectionByIdLoader

    id: relay.NodeID[str]
    name: str = strawberry.field(description="Unique among its live siblings.")
    description: str = strawberry.field(description="What belongs here.")
    color: str | None = strawberry.field(description="`#rrggbb`, for display.")
    icon: str | None = strawberry.field(description="An icon name, for display.")
    visibility: Visibility = strawberry.field(description="Who may see the collection.")
    version: int = strawberry.field(description="Optimistic-locking version; pass it to update.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    deleted_at: datetime | None = strawberry.field(description="When it was deleted (admins).")
    owner: User = related(UserOnRecordByIdLoader, key="owner_id", description="Who created it.")
    parent: Collection | None = related(
        CollectionByIdLoader, key="parent_id", description="The enclosing collection."
    )
    ancestors: list[Collection] = related(
        AncestorsByCollectionLoader,
        key="id",
        description="The enclosing collections from the root down to the parent.",
    )

    children: Connection[Collection] = nested_connection(
        ChildrenByCollectionLoader, description="The first sub-collections, by name."
    )
    documents: Connection[DocumentRef] = nested_connection(
        DocumentsByCollectionLoader,
        description="The first documents directly in this collection, by title.",
    )

    @strawberry.field(
        description="How many live documents the caller can see are in it.",
        metadata=DOCUMENT_COUNT.metadata,
    )
    async def document_count(
        self,
        info: strawberry.Info,
        include_descendants: Annotated[
            bool,
            strawberry.argument(
                description="Also count the documents in every sub-collection the caller can"
                " see, at any depth."
            ),
        ] = False,
    ) -> int:
        loader = info.context.loaders.get(DocumentCountByCollectionTreeLoader)
        return await loader.load((self.id, include_descendants))
