"""`collectionMove`: re-parent a collection, never into its own subtree."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.collection.types import Collection
from graph.core.errors import AlreadyExists, NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from persistence.collection.repository import CollectionRepository

AUDITED = ("parent_id",)


@strawberry.input(description="Where a collection goes.")
class CollectionMoveInput:
    id: relay.GlobalID = strawberry.field(description="The collection to move.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    parent_id: relay.GlobalID | None = strawberry.field(
        default=None,
        description="The new parent; null or left out moves it to the top level. "
        "The collection itself or one of its descendants is a ValidationError.",
    )


@strawberry.type(description="The collection was moved.")
class CollectionMoveSuccess:
    collection: Collection = strawberry.field(description="The collection in its new place.")


CollectionMoveResult = Annotated[
    CollectionMoveSuccess | ValidationError | NotFound | VersionConflict | AlreadyExists,
    strawberry.union("CollectionMoveResult", description="The moved collection, or why not."),
]


async def resolve(info: strawberry.Info, input: CollectionMoveInput) -> CollectionMoveResult:
    async def work(m: MutationContext) -> CollectionMoveSuccess:
        collections = CollectionRepository(m.session, m.scope)
        collection_id = row_id(input.id, "Collection", field="id")
        parent_id = None
        if input.parent_id is not None:
            parent_id = row_id(input.parent_id, "Collection", field="parent_id")
        before = snapshot(await collections.get(collection_id), AUDITED)
        moved = await collections.move(
            collection_id, parent_id=parent_id, expected_version=input.expected_version
        )
        changed = diff(before, snapshot(moved, AUDITED))
        await m.audit("collectionMove", "Collection", collection_id, changed)
        return CollectionMoveSuccess(collection=moved)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Move a collection under another one or to the top level (EDITOR or ADMIN), checking "
        "`expectedVersion`. Its sub-collections and documents move with it; a new parent "
        "inside its own subtree is refused (ValidationError on `parentId`)."
    ),
    permission_classes=[CanWrite],
)
