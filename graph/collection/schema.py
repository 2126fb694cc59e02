"""The collection domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.collection.mutations import (
    collection_create,
    collection_delete,
    collection_move,
    collection_purge,
    collection_restore,
    collection_update,
)


@strawberry.type
class CollectionMutations:
    collection_create = collection_create.field
    collection_update = collection_update.field
    collection_move = collection_move.field
    collection_delete = collection_delete.field
    collection_restore = collection_restore.field
    collection_purge = collection_purge.field
