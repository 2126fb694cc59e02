"""Loaders of the document domain."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import CountPerLoader, FirstPerLoader, RepositoryLoader
from persistence.document.models import Annotation, Document, Tag
from persistence.document.repository import AnnotationRepository, DocumentRepository, TagRepository
from persistence.pagination import Order
from persistence.scope import Scope


class DocumentByIdLoader(RepositoryLoader[uuid.UUID, Document | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[Document | None]:
        return await DocumentRepository(session, scope).get_many(keys)


class TagByIdLoader(RepositoryLoader[uuid.UUID, Tag | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[Tag | None]:
        return await TagRepository(session, scope).get_many(keys)


class AnnotationByIdLoader(RepositoryLoader[uuid.UUID, Annotation | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[Annotation | None]:
        return await AnnotationRepository(session, scope).get_many(keys)


class TagsByDocumentLoader(RepositoryLoader[uuid.UUID, list[Tag]]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[list[Tag]]:
        found = await TagRepository(session, scope).for_documents(keys)
        return [found[k] for k in keys]


class AnnotationsByDocumentLoader(RepositoryLoader[uuid.UUID, list[Annotation]]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[list[Annotation]]:
        found = await AnnotationRepository(session, scope).for_documents(keys)
        return [found[k] for k in keys]


class DocumentCountByCollectionLoader(CountPerLoader):
    repository = DocumentRepository
    column = "collection_id"


class DocumentsByCollectionLoader(FirstPerLoader):
    repository = DocumentRepository
    column = "collection_id"
    order = Order("title")
    counter = DocumentCountByCollectionLoader


class DocumentCountByOwnerLoader(CountPerLoader):
    repository = DocumentRepository
    column = "owner_id"


class DocumentsByOwnerLoader(FirstPerLoader):
    repository = DocumentRepository
    column = "owner_id"
    order = Order("created_at", descending=True)
    counter = DocumentCountByOwnerLoader


class DocumentCountByTagLoader(RepositoryLoader[uuid.UUID, int]):
    """How many live documents the caller can see carry each tag, in one GROUP BY."""

    async def fetch(self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]) -> list[int]:
        found = await DocumentRepository(session, scope).count_per_tag(keys)
        return [found[k] for k in keys]
