"""Arguments of the collection queries."""

from __future__ import annotations

import enum

import strawberry
from strawberry import relay

from graph.core.ids import query_row_id
from graph.core.pagination import OrderDirection
from persistence.collection import repository


@strawberry.enum(description="What collections can be ordered by.")
class CollectionOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    NAME = "name"


@strawberry.input(description="The order of a collection list.")
class CollectionOrder:
    field: CollectionOrderField = strawberry.field(
        default=CollectionOrderField.NAME, description="The sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Which collections to list; all conditions must hold.")
class CollectionFilter:
    parent_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only direct children of this collection."
    )
    roots_only: bool = strawberry.field(default=False, description="Only top-level collections.")
    name_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the name."
    )

    def to_domain(self) -> repository.CollectionFilter:
        return repository.CollectionFilter(
            parent_id=query_row_id(self.parent_id, "Collection", field="parentId"),
            roots_only=self.roots_only,
            search=self.name_contains,
        )
