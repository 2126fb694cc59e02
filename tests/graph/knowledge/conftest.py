"""Givens of the knowledge graph API tests: nodes, edges and documents written directly,
committed in the test organization, so each test sends only the operation it is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from persistence.audit.models import AuditEvent
from persistence.database import Database
from persistence.document.models import Document
from persistence.document.repository import DocumentRepository
from persistence.knowledge.models import KnowledgeEdge, KnowledgeNode
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from tests.graph.conftest import World
from tests.graph.fixtures import gid

REPOSITORIES: dict[type[Any], type[Any]] = {
    KnowledgeNode: KnowledgeNodeRepository,
    KnowledgeEdge: KnowledgeEdgeRepository,
    Document: DocumentRepository,
}


@dataclass
class Given:
    database: Database
    world: World

    @property
    def scope(self) -> Scope:
        return Scope.system(self.world.organization.id)

    async def nodes(self, *labels: str, node_type: str = "concept", **extra: Any) -> list[Any]:
        """One node per label, all of `node_type`."""
        async with self.database.transaction(self.world.organization.id) as session:
            return await KnowledgeNodeRepository(session, self.scope).create_many(
                [{"label": label, "node_type": node_type, **extra} for label in labels]
            )

    async def node(self, label: str, **extra: Any) -> KnowledgeNode:
        (node,) = await self.nodes(label, **extra)
        return node

    async def edge(
        self,
        source: KnowledgeNode,
        target: KnowledgeNode,
        edge_type: str = "related_to",
        **extra: Any,
    ) -> KnowledgeEdge:
        async with self.database.transaction(self.world.organization.id) as session:
            return await KnowledgeEdgeRepository(session, self.scope).create(
                source_id=source.id, target_id=target.id, edge_type=edge_type, **extra
            )

    async def deleted(self, row: KnowledgeNode | KnowledgeEdge | Document) -> None:
        """Soft-delete a node, an edge or a document."""
        repository = REPOSITORIES[type(row)]
        async with self.database.transaction(self.world.organization.id) as session:
            await repository(session, self.scope).soft_delete(row.id)

    async def document(self, title: str, owner: str = "editor", **extra: Any) -> Document:
        """A document owned by the world's member named `owner`."""
        async with self.database.transaction(self.world.organization.id) as session:
            return await DocumentRepository(session, self.scope).create(
                title=title, owner_id=self.world.members[owner].user.id, **extra
            )

    async def stored(self, model: type[Any]) -> int:
        """How many rows of `model` the organization has, deleted ones included."""
        async with self.database.transaction(self.world.organization.id) as session:
            stmt = select(func.count()).where(model.organization_id == self.world.organization.id)
            return await session.scalar(stmt.select_from(model)) or 0

    async def audit_count(self) -> int:
        return await self.stored(AuditEvent)


@pytest.fixture
def given(database: Database, world: World) -> Given:
    return Given(database, world)


def node_id(node: KnowledgeNode) -> str:
    return gid("KnowledgeNode", node.id)


def edge_id(edge: KnowledgeEdge) -> str:
    return gid("KnowledgeEdge", edge.id)
