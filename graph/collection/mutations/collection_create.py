"""`collectionCreate`: a new collection, at the top level or inside another one."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.collection.types import Collection
from graph.core.enums import Visibility
from graph.core.errors import AlreadyExists, NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from persistence.collection import models
from persistence.collection.repository import CollectionRepository

AUDITED = ("name", "description", "color", "icon", "visibility", "parent_id", "owner_id")


@strawberry.input(description="A new collection.")
class CollectionCreateInput:
    name: str = strawberry.field(
        description="The name (not blank, unique among its live siblings, case-insensitive)."
    )
    description: str = strawberry.field(default="", description="What belongs here.")
    color: str | None = strawberry.field(default=None, description="`#rrggbb`, for display.")
    icon: str | None = strawberry.field(default=None, description="An icon name, for display.")
    visibility: Visibility = strawberry.field(
        default=models.Visibility.ORGANIZATION, description="PRIVATE: only you and admins."
    )
    parent_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The collection to put it in; left out: the top level."
    )


@strawberry.type(description="The collection was created.")
class CollectionCreateSuccess:
    collection: Collection = strawberry.field(description="The new collection.")


CollectionCreateResult = Annotated[
    CollectionCreateSuccess | ValidationError | NotFound | AlreadyExists,
    strawberry.union("CollectionCreateResult", description="The new collection, or why not."),
]


async def resolve(info: strawberry.Info, input: CollectionCreateInput) -> CollectionCreateResult:
    async def work(m: MutationContext) -> CollectionCreateSuccess:
        collections = CollectionRepository(m.session, m.scope)
        parent_id = None
        if input.parent_id is not None:
            parent_id = row_id(input.parent_id, "Collection", field="parent_id")
            await collections.get(parent_id)
        collection = await collections.create(
            name=input.name,
            description=input.description,
            color=input.color,
            icon=input.icon,
            visibility=input.visibility,
            parent_id=parent_id,
            owner_id=m.viewer.user_id,
        )
        changes = diff({}, snapshot(collection, AUDITED))
        await m.audit("collectionCreate", "Collection", collection.id, changes)
        return CollectionCreateSuccess(collection=collection)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Create a collection owned by the caller (EDITOR or ADMIN). A `parentId` the caller "
        "cannot see is NotFound; a live sibling with the same name is AlreadyExists."
    ),
    permission_classes=[CanWrite],
)
