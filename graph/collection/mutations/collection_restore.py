"""`collectionRestore`: bring a soft-deleted collection back (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.collection.types import Collection
from graph.core.errors import AlreadyExists, NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from persistence import errors as domain
from persistence.collection.repository import CollectionRepository

AUDITED = ("deleted_at",)


@strawberry.input(description="The deleted collection to bring back.")
class CollectionRestoreInput:
    id: relay.GlobalID = strawberry.field(description="The deleted collection.")


@strawberry.type(description="The collection is back.")
class CollectionRestoreSuccess:
    collection: Collection = strawberry.field(description="The restored collection.")


CollectionRestoreResult = Annotated[
    CollectionRestoreSuccess | ValidationError | NotFound | AlreadyExists,
    strawberry.union("CollectionRestoreResult", description="The restored collection, or why not."),
]


async def resolve(info: strawberry.Info, input: CollectionRestoreInput) -> CollectionRestoreResult:
    async def work(m: MutationContext) -> CollectionRestoreSuccess:
        collections = CollectionRepository(m.session, m.scope)
        collection_id = row_id(input.id, "Collection", field="id")
        current = await collections.get(collection_id, include_deleted=True)
        if current.deleted_at is None:
            raise domain.ValidationError("id", "this collection is not deleted")
        before = snapshot(current, AUDITED)
        restored = await collections.restore_tree(collection_id)
        changed = diff(before, snapshot(restored, AUDITED))
        await m.audit("collectionRestore", "Collection", collection_id, changed)
        return CollectionRestoreSuccess(collection=restored)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Restore a soft-deleted collection (ADMIN only). A live collection is a "
        "ValidationError; a live sibling that took its name since is AlreadyExists."
    ),
    permission_classes=[IsAdminWriter],
)
