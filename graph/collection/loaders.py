"""Loaders of the collection domain."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import CountPerLoader, FirstPerLoader, RepositoryLoader
from persistence.collection.models import Collection
from persistence.collection.repository import CollectionRepository
from persistence.pagination import Order
from persistence.scope import Scope


class CollectionByIdLoader(RepositoryLoader[uuid.UUID, Collection | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[Collection | None]:
        return await CollectionRepository(session, scope).get_many(keys)


class AncestorsByCollectionLoader(RepositoryLoader[uuid.UUID, list[Collection]]):
    """Each collection's chain from the root, for many collections in one recursive query."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[list[Collection]]:
        found = await CollectionRepository(session, scope).ancestors_of(keys)
        return [found[k] for k in keys]


class ChildCountByCollectionLoader(CountPerLoader):
    repository = CollectionRepository
    column = "parent_id"


class ChildrenByCollectionLoader(FirstPerLoader):
    repository = CollectionRepository
    column = "parent_id"
    order = Order("name")
    counter = ChildCountByCollectionLoader
