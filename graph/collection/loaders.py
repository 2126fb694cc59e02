"""Loaders of the collection domain."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import CountPerLoader, FirstPerLoader, RelationLoader, RepositoryLoader
from persistence.collection.repository import ANCESTORS, COLLECTION_BY_ID, CollectionRepository
from persistence.document.repository import DocumentRepository
from persistence.pagination import Order
from persistence.scope import Scope


class CollectionByIdLoader(RelationLoader):
    relation = COLLECTION_BY_ID


class AncestorsByCollectionLoader(RelationLoader):
    """Each collection's chain from the root, for many collections in one recursive query."""

    relation = ANCESTORS


class ChildCountByCollectionLoader(CountPerLoader):
    repository = CollectionRepository
    column = "parent_id"


class ChildrenByCollectionLoader(FirstPerLoader):
    repository = CollectionRepository
    column = "parent_id"
    order = Order("name")
    counter = ChildCountByCollectionLoader


class DocumentCountByCollectionTreeLoader(RepositoryLoader[tuple[uuid.UUID, bool], int]):
    """Live documents the caller can see in each collection, keyed `(collection_id,
    include_descendants)`: one statement per batch — a GROUP BY, or one recursive CTE that
    counts both ways when any key asks for descendants."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[tuple[uuid.UUID, bool]]
    ) -> list[int]:
        ids = list(dict.fromkeys(id for id, _ in keys))
        if not any(descendants for _, descendants in keys):
            direct = await DocumentRepository(session, scope).count_per("collection_id", ids)
            return [direct[id] for id, _ in keys]
        found = await CollectionRepository(session, scope).document_counts(ids)
        return [
            found[id].with_descendants if descendants else found[id].direct
            for id, descendants in keys
        ]
