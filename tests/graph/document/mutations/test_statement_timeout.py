"""A statement that runs past the statement timeout is stopped by PostgreSQL, which undoes the
operation's transaction whole: the answer is one typed error (`STATEMENT_TIMEOUT`, 503) and
no data, never an internal error, and nothing the operation wrote stands. Made deterministic
by holding a lock on `documents` that the operation's statements must wait for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.app import create_app
from graph.core.errors import StatementTimeout
from graph.settings import ServerSettings
from persistence.database import Database, create_engine, session_factory
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import gid

TIMEOUT_MS = 300

STOPPED = {
    "errors": [{"message": StatementTimeout().message, "extensions": {"code": "STATEMENT_TIMEOUT"}}]
}

TITLES = "{ documents(first: 5) { edges { node { title } } } }"

RETITLE_BOTH = """
mutation Both($first: DocumentUpdateInput!, $second: DocumentUpdateInput!) {
  first: documentUpdate(input: $first) { __typename }
  second: documentUpdate(input: $second) { __typename }
}
"""


@dataclass
class Impatient:
    client: httpx.AsyncClient
    engine: AsyncEngine


@pytest.fixture
async def impatient(
    server_settings: ServerSettings, app_database: Database
) -> AsyncIterator[Impatient]:
    """The app with a statement timeout of TIMEOUT_MS, on an engine of its own whose
    connections start with it (as a known caller's one statement needs)."""
    settings = replace(app_database.settings, statement_timeout_ms=TIMEOUT_MS)
    engine = create_engine(app_database.url, settings, app=True)
    database = replace(
        app_database, engine=engine, sessions=session_factory(engine), settings=settings
    )
    app = create_app(replace(server_settings, database=settings), database=database)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
        ):
            yield Impatient(c, engine)
    finally:
        await engine.dispose()


async def _while_documents_are_locked(
    database: Database, client: httpx.AsyncClient, body: dict[str, Any], token: str
) -> httpx.Response:
    async with database.engine.connect() as holder, holder.begin():
        await holder.execute(text("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE"))
        return await client.post(
            "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
        )


async def test_a_query_stopped_by_the_timeout_is_a_typed_error_sent_at_once(
    impatient: Impatient, world: World, given: Given, database: Database
) -> None:
    """Stopped, the compiled statement is not run again by the reference executor (which
    would only take as long again): one statement that reads documents per request."""
    await given.document("Runbook")
    token = world.editor.token
    for _ in range(2):  # the first authenticates; the second is a known caller's statement
        with StatementCounter.listening(impatient.engine) as sent:
            response = await _while_documents_are_locked(
                database, impatient.client, {"query": TITLES}, token
            )

        assert response.status_code == 503
        assert response.json() == STOPPED
        assert len([s for s in sent.statements if "documents" in s]) == 1

    answered = await impatient.client.post(
        "/graphql", json={"query": TITLES}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answered.json() == {"data": {"documents": {"edges": [{"node": {"title": "Runbook"}}]}}}


async def test_a_mutation_stopped_by_the_timeout_changes_nothing(
    impatient: Impatient, world: World, given: Given, database: Database
) -> None:
    """The first update is written before the second waits: it is undone with the rest."""
    first, second = await given.document("One"), await given.document("Two")
    variables = {
        "first": {"id": gid("Document", first.id), "expectedVersion": 1, "title": "Uno"},
        "second": {"id": gid("Document", second.id), "expectedVersion": 1, "title": "Dos"},
    }
    body = {"query": RETITLE_BOTH, "variables": variables}

    async with database.engine.connect() as holder, holder.begin():
        # Only the second document's row: the first update goes through, the second waits.
        await holder.execute(
            text("SELECT 1 FROM documents WHERE id = :id FOR UPDATE"), {"id": second.id}
        )
        response = await impatient.client.post(
            "/graphql", json=body, headers={"Authorization": f"Bearer {world.editor.token}"}
        )

    assert response.status_code == 503
    assert response.json() == STOPPED
    assert await given.audit_count(first.id) == 0
    async with database.engine.connect() as connection:
        titles = await connection.execute(
            text("SELECT title, version FROM documents WHERE id IN (:a, :b) ORDER BY title"),
            {"a": first.id, "b": second.id},
        )
        assert titles.all() == [("One", 1), ("Two", 1)]
