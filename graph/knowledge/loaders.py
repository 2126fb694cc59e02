"""Loaders of the knowledge graph."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import RepositoryLoader
from persistence.knowledge.models import KnowledgeEdge, KnowledgeNode
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.knowledge.traversal import Direction
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


class KnowledgeNodesByDocumentLoader(RepositoryLoader[uuid.UUID, list[KnowledgeNode]]):
    """Each document's nodes (taken from it), for many documents in one statement."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[list[KnowledgeNode]]:
        found = await KnowledgeNodeRepository(session, scope).for_documents(keys)
        return [found[k] for k in keys]


class DegreeByNodeLoader(RepositoryLoader[tuple[uuid.UUID, Direction], int]):
    """Each node's live edges in a direction; keys `(node_id, direction)`, and one statement
    per batch, whatever mix of directions it asks for."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[tuple[uuid.UUID, Direction]]
    ) -> list[int]:
        nodes = list(dict.fromkeys(node for node, _ in keys))
        found = await KnowledgeEdgeRepository(session, scope).degrees(nodes)
        counts = {
            Direction.OUT: lambda d: d.outgoing,
            Direction.IN: lambda d: d.incoming,
            Direction.BOTH: lambda d: d.outgoing + d.incoming,
        }
        return [counts[direction](found[node]) for node, direction in keys]
