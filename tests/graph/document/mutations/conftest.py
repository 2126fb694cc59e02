"""Givens of the document mutation tests: rows written directly and committed in the test
organization, so each test sends only the operation it is about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from persistence.audit.models import AuditEvent
from persistence.database import Database
from persistence.document.models import Annotation, Document, Tag
from persistence.document.repository import (
    AnnotationRepository,
    DocumentRepository,
    TagRepository,
)
from persistence.scope import Scope
from tests.graph.conftest import Member, World


@dataclass
class Given:
    database: Database
    world: World

    @property
    def scope(self) -> Scope:
        return Scope.system(self.world.organization.id)

    async def document(
        self, title: str = "Runbook", *, by: Member | None = None, **extra: Any
    ) -> Document:
        """A document owned by `by` (the editor unless said otherwise)."""
        owner = by or self.world.editor
        async with self.database.transaction(self.world.organization.id) as session:
            return await DocumentRepository(session, self.scope).create(
                title=title, owner_id=owner.user.id, **extra
            )

    async def deleted(self, document: Document) -> Document:
        """`document`, soft-deleted."""
        async with self.database.transaction(self.world.organization.id) as session:
            return await DocumentRepository(session, self.scope).soft_delete(document.id)

    async def tagged(self, document: Document, *names: str) -> list[Tag]:
        """Tags with these names, attached to `document`."""
        async with self.database.transaction(self.world.organization.id) as session:
            tags = TagRepository(session, self.scope)
            found = await tags.ensure(names)
            await tags.tag_document(document.id, [t.id for t in found])
            return found

    async def annotation(
        self, document: Document, *, by: Member | None = None, start: int = 0, end: int = 0
    ) -> Annotation:
        author = by or self.world.editor
        async with self.database.transaction(self.world.organization.id) as session:
            return await AnnotationRepository(session, self.scope).create(
                document_id=document.id,
                author_id=author.user.id,
                start_offset=start,
                end_offset=end,
                quote=document.content[start:end],
                body="A note",
            )

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
