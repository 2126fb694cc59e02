"""Concurrent writers in separate transactions: optimistic locking loses no update."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from persistence.database import session_factory
from persistence.document.models import Document
from persistence.document.repository import DocumentRepository
from persistence.errors import VersionConflict
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.identity import create_user
from persistence.user.models import Organization
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.fixtures.users import PASSWORD


@pytest.fixture
async def committed_document(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Document]:
    """A document committed for real (these tests need separate transactions to see it)."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        org = await OrganizationRepository(session).create(
            slug=f"race-{uuid.uuid4().hex[:8]}", name="Race"
        )
        scope = Scope.system(org.id)
        owner = await create_user(
            UserRepository(session, scope),
            username="racer",
            email="racer@example.com",
            password=PASSWORD,
            settings=settings,
        )
        document = await DocumentRepository(session, scope).create(title="v1", owner_id=owner.id)
    yield document
    async with sessions() as session, session.begin():
        await session.execute(delete(Organization).where(Organization.id == org.id))


async def _update(engine: AsyncEngine, document: Document, title: str, hold: float) -> str:
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        repo = DocumentRepository(session, Scope.system(document.organization_id))
        try:
            await repo.update(document.id, expected_version=document.version, title=title)
        except VersionConflict as conflict:
            return f"conflict at {conflict.current_version}"
        await asyncio.sleep(hold)  # keep the row lock while the others arrive
        return "won"


async def test_one_of_two_concurrent_updates_wins_and_the_other_conflicts(
    engine: AsyncEngine, committed_document: Document
) -> None:
    results = await asyncio.gather(
        _update(engine, committed_document, "from A", hold=0.2),
        _update(engine, committed_document, "from B", hold=0.2),
    )

    assert sorted(results) == ["conflict at 2", "won"]
    async with AsyncSession(engine) as session:
        stored = await session.get(
            Document, (committed_document.organization_id, committed_document.id)
        )
    assert stored is not None and stored.version == 2
    assert stored.title == ("from A" if results[0] == "won" else "from B")


async def test_many_concurrent_updates_with_one_version_have_exactly_one_winner(
    engine: AsyncEngine, committed_document: Document
) -> None:
    results = await asyncio.gather(
        *(_update(engine, committed_document, f"writer {i}", hold=0.05) for i in range(5))
    )

    assert results.count("won") == 1
    assert results.count("conflict at 2") == 4
