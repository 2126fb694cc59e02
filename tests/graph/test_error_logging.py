"""A client's mistake is one log line without a traceback, with echoed values clipped; a
bug is still logged with its traceback and the request id."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database, create_engine, session_factory
from persistence.settings import Settings
from tests.fixtures.databases import create_database, drop_database
from tests.graph.conftest import World

NODE = "query Node($id: ID!) { node(id: $id) { id } }"
DOCUMENTS = "{ documents { totalCount } }"
LOGIN = 'mutation { login(input: {login: "a", password: "b"}) { __typename } }'
HUGE_ID = "x" * 500_000


@pytest.fixture
async def unmigrated(server_url: str, settings: Settings) -> AsyncIterator[Database]:
    """A database with no tables: every statement against it is a server-side fault."""
    url = await create_database(server_url, f"khub_empty_{uuid.uuid4().hex[:8]}")
    engine = create_engine(url, settings)
    yield Database(url=url, engine=engine, sessions=session_factory(engine), settings=settings)
    await engine.dispose()
    await drop_database(server_url, url)


def _lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the server logs at INFO and above about errors (debug lines, such as the
    compiler's, are off in production; every request's own line is tests/graph/test_logs.py's).
    Background tasks of other tests' apps (the retrieval writer, the change feed) log on
    their own schedule: not this request's lines."""
    return [
        r
        for r in caplog.records
        if r.name.startswith(("khub", "strawberry"))
        and r.name not in ("khub.request", "khub.retrieval", "khub.subscriptions")
        and r.levelno >= logging.INFO
    ]


async def test_an_unauthenticated_request_logs_one_line_without_a_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = await client.post(
            "/graphql", json={"query": DOCUMENTS}, headers={"X-Request-ID": "req-anon"}
        )

    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    (line,) = _lines(caplog)
    assert line.levelno == logging.INFO and line.exc_info is None
    assert "req-anon" in line.getMessage() and "UNAUTHENTICATED" in line.getMessage()


async def test_a_huge_invalid_id_is_clipped_in_the_error_and_the_log(
    client: httpx.AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = await client.post(
            "/graphql",
            json={"query": NODE, "variables": {"id": HUGE_ID}},
            headers={"Authorization": f"Bearer {world.viewer.token}"},
        )

    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(response.content) < 1_000 and "…" in error["message"]
    (line,) = _lines(caplog)
    assert line.exc_info is None and len(line.getMessage()) < 300


async def test_a_bug_still_logs_its_traceback_with_the_request_id(
    server_settings: ServerSettings, unmigrated: Database, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(server_settings, database=unmigrated)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with caplog.at_level(logging.DEBUG):
            response = await client.post(
                "/graphql", json={"query": LOGIN}, headers={"X-Request-ID": "req-bug"}
            )

    assert response.json()["data"] is None
    (line,) = _lines(caplog)
    assert line.levelno == logging.ERROR and line.exc_info is not None
    assert "req-bug" in line.getMessage()
