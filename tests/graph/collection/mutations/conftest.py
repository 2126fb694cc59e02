"""Givens of the collection mutation tests: rows written directly and committed in the test
organization, so each test sends only the operation it is about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from persistence.audit.models import AuditEvent
from persistence.collection.models import Collection
from persistence.collection.repository import CollectionRepository
from persistence.database import Database
from persistence.document.models import Document
from persistence.document.repository import DocumentRepository
from persistence.scope import Scope
from tests.graph.conftest import Member, World
from tests.graph.fixtures import gid


@dataclass
class Given:
    database: Database
    world: World

    @property
    def scope(self) -> Scope:
        return Scope.system(self.world.organization.id)

    async def collection(
        self,
        name: str = "Handbook",
        *,
        by: Member | None = None,
        parent: Collection | None = None,
        **extra: Any,
    ) -> Collection:
        """A collection owned by `by` (the editor unless said otherwise)."""
        owner = by or self.world.editor
        async with self.database.transaction(self.world.organization.id) as session:
            return await CollectionRepository(session, self.scope).create(
                name=name,
                owner_id=owner.user.id,
                parent_id=parent.id if parent else None,
                **extra,
            )

    async def deleted(self, collection: Collection) -> Collection:
        """`collection`, soft-deleted."""
        async with self.database.transaction(self.world.organization.id) as session:
            return await CollectionRepository(session, self.scope).soft_delete(collection.id)

    async def document(self, collection: Collection, title: str = "Runbook") -> Document:
        """A document of the editor's in `collection`."""
        async with self.database.transaction(self.world.organization.id) as session:
            return await DocumentRepository(session, self.scope).create(
                title=title, owner_id=self.world.editor.user.id, collection_id=collection.id
            )

    async def row(self, collection: Collection) -> Collection | None:
        """The collection as stored now, deleted or not; None once purged."""
        async with self.database.transaction(self.world.organization.id) as session:
            repository = CollectionRepository(session, self.scope)
            (row,) = await repository.get_many([collection.id], include_deleted=True)
            return row

    async def stored(self, model: type[Any], **where: Any) -> int:
        """How many rows of `model` the organization has (deleted ones too), matching `where`."""
        async with self.database.transaction(self.world.organization.id) as session:
            stmt = select(func.count()).where(
                model.organization_id == self.world.organization.id,
                *(getattr(model, name) == value for name, value in where.items()),
            )
            return await session.scalar(stmt.select_from(model)) or 0

    async def audit_count(self, entity_id: uuid.UUID | None = None) -> int:
        if entity_id is None:
            return await self.stored(AuditEvent)
        return await self.stored(AuditEvent, entity_id=entity_id)


@pytest.fixture
def given(database: Database, world: World) -> Given:
    return Given(database, world)


def collection_id(collection: Collection) -> str:
    return gid("Collection", collection.id)
