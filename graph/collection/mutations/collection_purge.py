"""`collectionPurge`: delete a collection for good (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from persistence.collection.repository import CollectionRepository

AUDITED = ("name", "parent_id", "owner_id", "visibility", "deleted_at")


@strawberry.input(description="The collection to delete for good.")
class CollectionPurgeInput:
    id: relay.GlobalID = strawberry.field(description="The collection, live or soft-deleted.")


@strawberry.type(description="The collection is gone for good.")
class CollectionPurgeSuccess:
    purged_id: relay.GlobalID = strawberry.field(description="The id the collection had.")


CollectionPurgeResult = Annotated[
    CollectionPurgeSuccess | ValidationError | NotFound,
    strawberry.union("CollectionPurgeResult", description="The purged id, or why not."),
]


async def resolve(info: strawberry.Info, input: CollectionPurgeInput) -> CollectionPurgeResult:
    async def work(m: MutationContext) -> CollectionPurgeSuccess:
        collections = CollectionRepository(m.session, m.scope)
        collection_id = row_id(input.id, "Collection", field="id")
        before = snapshot(await collections.get(collection_id, include_deleted=True), AUDITED)
        await collections.purge(collection_id)
        await m.audit("collectionPurge", "Collection", collection_id, diff(before, {}))
        return CollectionPurgeSuccess(purged_id=relay.GlobalID("Collection", str(collection_id)))

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Delete a collection for good, live or soft-deleted (ADMIN only). Its sub-collections "
        "are purged with it; its documents stay, outside any collection."
    ),
    permission_classes=[IsAdminWriter],
)
