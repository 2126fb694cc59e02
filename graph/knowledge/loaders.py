"""Loaders of the knowledge graph."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import RepositoryLoader
from persistence.knowledge.models import KnowledgeEdge, KnowledgeNode
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope


class KnowledgeNodeByIdLoader(RepositoryLoader[uuid.UUID, KnowledgeNode | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[KnowledgeNode | None]:
        return await KnowledgeNodeRepository(session, scope).get_many(keys)


class KnowledgeEdgeByIdLoader(RepositoryLoader[uuid.UUID, KnowledgeEdge | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[KnowledgeEdge | None]:
        return await KnowledgeEdgeRepository(session, scope).get_many(keys)


class OutgoingEdgesByNodeLoader(RepositoryLoader[uuid.UUID, list[KnowledgeEdge]]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[list[KnowledgeEdge]]:
        found = await KnowledgeEdgeRepository(session, scope).touching(keys, outgoing=True)
        return [found[k] for k in keys]


class IncomingEdgesByNodeLoader(RepositoryLoader[uuid.UUID, list[KnowledgeEdge]]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[list[KnowledgeEdge]]:
        found = await KnowledgeEdgeRepository(session, scope).touching(keys, outgoing=False)
        return [found[k] for k in keys]
