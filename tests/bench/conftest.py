"""The API fixtures (the real app over ASGI on the test database), and the bench's data: the
scale seed, small, with a logged-in viewer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import delete, text

from bench.load.operations import Operation, sql_parameters
from persistence.database import Database
from persistence.document.repository import DocumentRepository
from persistence.scope import Scope
from persistence.seed.scale import load_scale
from persistence.settings import Settings
from persistence.user.credentials import SessionRepository
from persistence.user.identity import create_user
from persistence.user.models import Organization, Role
from persistence.user.repository import UserRepository
from tests.graph.conftest import app, app_database, client, database, server_settings  # noqa: F401


@dataclass
class Bench:
    organization_id: uuid.UUID
    viewer_id: uuid.UUID
    token: str

    def parameters(self, operation: Operation, variables: dict[str, str]) -> dict[str, str]:
        return sql_parameters(
            operation,
            variables,
            organization=str(self.organization_id),
            viewer=str(self.viewer_id),
        )


@pytest.fixture(scope="module")
async def bench(
    database: Database,  # noqa: F811 (the fixture, imported above)
    settings: Settings,
) -> AsyncIterator[Bench]:
    """The scale seed with 300 documents, a logged-in viewer, and rows that must be left out
    or kept: the newest document deleted, and a newer PRIVATE one of the viewer's own that
    matches a search (other users' PRIVATE documents come with the seed)."""
    async with database.transaction() as session:
        summary = await load_scale(session, documents=300, settings=settings)
        org_id = summary.organization.id
        scope = Scope.system(org_id)
        viewer = await create_user(
            UserRepository(session, scope),
            username="bench",
            email="bench@example.com",
            password="not used: the session is opened directly",
            full_name="Load Benchmark",
            roles=[Role.VIEWER],
            settings=settings,
        )
        token, _ = await SessionRepository(session, scope).open(viewer.id, ttl=timedelta(hours=1))
        await session.execute(
            text(
                "UPDATE documents SET deleted_at = now() WHERE id = (SELECT id FROM documents"
                " WHERE organization_id = :org ORDER BY created_at DESC, id DESC LIMIT 1)"
            ),
            {"org": org_id},
        )
        collection_id = await session.scalar(
            text("SELECT collection_id FROM documents WHERE organization_id = :org LIMIT 1"),
            {"org": org_id},
        )
        await DocumentRepository(session, scope).create(
            title="My private stampede notes",
            content="autoscaling after a cache stampede",
            owner_id=viewer.id,
            collection_id=collection_id,
            visibility="PRIVATE",
        )
    yield Bench(org_id, viewer.id, token)
    async with database.transaction() as session:
        await session.execute(delete(Organization).where(Organization.id == org_id))
