"""Arguments of the document queries."""

from __future__ import annotations

import enum

import strawberry
from strawberry import relay

from graph.core.enums import DocumentStatus, Visibility
from graph.core.ids import query_row_id
from graph.core.pagination import OrderDirection
from persistence.document import repository


@strawberry.enum(description="What documents can be ordered by.")
class DocumentOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    TITLE = "title"


@strawberry.input(description="The order of a document list.")
class DocumentOrder:
    field: DocumentOrderField = strawberry.field(
        default=DocumentOrderField.CREATED_AT, description="The sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Which documents to list; all conditions must hold.")
class DocumentFilter:
    collection_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only documents directly in this collection."
    )
    owner_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only documents this user owns."
    )
    tag_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only documents with this tag."
    )
    status: DocumentStatus | None = strawberry.field(default=None, description="Only this status.")
    visibility: Visibility | None = strawberry.field(default=None, description="Only this one.")
    title_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the title."
    )

    def to_domain(self) -> repository.DocumentFilter:
        return repository.DocumentFilter(
            collection_id=query_row_id(self.collection_id, "Collection", field="collectionId"),
            owner_id=query_row_id(self.owner_id, "User", field="ownerId"),
            tag_id=query_row_id(self.tag_id, "Tag", field="tagId"),
            status=self.status,
            visibility=self.visibility,
            search=self.title_contains,
        )
