"""Retrieval fixtures: a small searchable corpus, apps with their own recorder settings, and
the recorded history read back as the owner."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from graph import request_record
from graph.app import create_app
from graph.retrieval.settings import RetrievalSettings
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.document.repository import DocumentRepository
from persistence.retrieval.models import RetrievalQuery
from persistence.scope import Scope
from tests.graph.conftest import World
from tests.graph.knowledge.conftest import given

__all__ = ["given"]  # the knowledge tests' node maker

SEARCH = """
query Search($query: String!, $filter: SearchFilter, $first: Int, $conversation: ID) {
  searchDocuments(query: $query, filter: $filter, first: $first, conversationId: $conversation) {
    edges { node { rank document { id title } } }
  }
}
"""


@dataclass
class Corpus:
    """Documents whose "postgres" counts give distinct ranks, best first."""

    ids: list[uuid.UUID]


@pytest.fixture
async def corpus(world: World, database: Database) -> Corpus:
    async with database.transaction() as session:
        documents = await DocumentRepository(
            session, Scope.system(world.organization.id)
        ).create_many(
            [
                {
                    "title": f"Guide {n}",
                    "content": "postgres " * n + "other words",
                    "owner_id": world.editor.user.id,
                }
                for n in (5, 3, 1)
            ]
        )
    return Corpus(ids=[d.id for d in documents])


@pytest.fixture
async def app_with(server_settings: ServerSettings, app_database: Database) -> AsyncIterator[Any]:
    """Make an app (sharing the tests' database) with these retrieval settings, and a
    client for it; both closed after the test."""
    opened: list[tuple[Any, httpx.AsyncClient]] = []

    async def make(**retrieval: Any) -> tuple[Any, httpx.AsyncClient]:
        settings = replace(
            server_settings,
            compiled_reads=retrieval.pop("compiled_reads", True),
            retrieval=RetrievalSettings(**retrieval),
        )
        app = create_app(settings, database=app_database)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
        opened.append((app, http))
        return app, http

    yield make
    for app, http in opened:
        await http.aclose()
        await app.state.retrieval.close()


async def post(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    *,
    token: str,
    request_id: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response


async def history(database: Database, world: World) -> list[RetrievalQuery]:
    """The organization's recorded calls, oldest first (read as the owner)."""
    async with database.transaction() as session:
        rows = await session.scalars(
            select(RetrievalQuery)
            .where(RetrievalQuery.organization_id == world.organization.id)
            .order_by(RetrievalQuery.created_at, RetrievalQuery.id)
        )
        return list(rows)


@contextmanager
def request_statements(engine: AsyncEngine) -> Iterator[dict[str, int]]:
    """Statements sent on behalf of a request, by request id (background work has none)."""
    counts: dict[str, int] = {}

    def count(*_: Any) -> None:
        record = request_record.current()
        if record is not None:
            counts[record.request_id] = counts.get(record.request_id, 0) + 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
