"""Loaders of the knowledge graph."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import RelationLoader, RepositoryLoader
from persistence.knowledge.repository import (
    EDGE_BY_ID,
    INCOMING_EDGES,
    NODE_BY_ID,
    NODES_BY_DOCUMENT,
    OUTGOING_EDGES,
    KnowledgeEdgeRepository,
)
from persistence.knowledge.traversal import Direction
from persistence.scope import Scope


class KnowledgeNodeByIdLoader(RelationLoader):
    relation = NODE_BY_ID


class KnowledgeEdgeByIdLoader(RelationLoader):
    relation = EDGE_BY_ID


class OutgoingEdgesByNodeLoader(RelationLoader):
    relation = OUTGOING_EDGES


class IncomingEdgesByNodeLoader(RelationLoader):
    relation = INCOMING_EDGES


class KnowledgeNodesByDocumentLoader(RelationLoader):
    """Each document's nodes (taken from it), for many documents in one statement."""

    relation = NODES_BY_DOCUMENT


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
