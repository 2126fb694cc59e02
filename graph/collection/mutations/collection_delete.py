"""`collectionDelete`: soft-delete a collection (its owner or an admin)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.collection.types import Collection
from graph.core.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from persistence.collection.repository import CollectionRepository

AUDITED = ("deleted_at",)


@strawberry.input(description="The collection to delete.")
class CollectionDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The collection.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="The version you read, if you want a VersionConflict when it is stale.",
    )


@strawberry.type(description="The collection was deleted; an admin can restore it.")
class CollectionDeleteSuccess:
    collection: Collection = strawberry.field(description="The collection, with `deletedAt`.")


CollectionDeleteResult = Annotated[
    CollectionDeleteSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("CollectionDeleteResult", description="The deleted collection, or why not."),
]


async def resolve(info: strawberry.Info, input: CollectionDeleteInput) -> CollectionDeleteResult:
    async def work(m: MutationContext) -> CollectionDeleteSuccess | PermissionDenied:
        collections = CollectionRepository(m.session, m.scope)
        collection_id = row_id(input.id, "Collection", field="id")
        current = await collections.get(collection_id)
        if current.owner_id != m.viewer.user_id and not m.viewer.is_admin:
            return PermissionDenied(message="only the owner or an admin may delete a collection")
        before = snapshot(current, AUDITED)
        deleted = await collections.delete_tree(
            collection_id, expected_version=input.expected_version
        )
        changed = diff(before, snapshot(deleted, AUDITED))
        await m.audit("collectionDelete", "Collection", collection_id, changed)
        return CollectionDeleteSuccess(collection=deleted)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Soft-delete a collection: it disappears from reads until an admin restores it. "
        "Only its owner or an ADMIN may (others get PermissionDenied). Its live "
        "sub-collections and documents (those the caller can see) go with it, and come back "
        "with collectionRestore."
    ),
    permission_classes=[CanWrite],
)
