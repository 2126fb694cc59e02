"""While PostgreSQL is down, clients are told to come back (503), not shown a bug.

The suite's embedded server is shared, so this starts a second one of its own in a
temporary directory, stops it in the middle of the test and starts it again.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry import relay

from graph.app import create_app
from graph.settings import ServerSettings
from persistence import embedded
from persistence.database import Database, create_engine, session_factory
from persistence.migrate import upgrade
from persistence.settings import Settings
from persistence.user.models import Role
from persistence.user.repository import OrganizationRepository
from tests.fixtures.websocket import Closed, Socket
from tests.graph.conftest import signed_in

DOCUMENT_CREATE = 'mutation { documentCreate(input: {title: "During"}) { __typename } }'
DOCUMENT_COUNT = "{ documents(first: 1) { totalCount } }"
LOGIN = """
mutation { login(input: {login: "editor", password: "wrong password"}) { __typename } }
"""
GRAPHQL_RESPONSE = "application/graphql-response+json"
BASE = "http://testserver"
DOCUMENT_CREATE_RETURNING = """
mutation {
  documentCreate(input: {title: "During"}) {
    ... on DocumentCreateSuccess { document { id version } }
  }
}
"""
DOCUMENT_UPDATE = """
mutation ($id: ID!) {
  documentUpdate(input: {id: $id, expectedVersion: 1, title: "Changed"}) { __typename }
}
"""
DOCUMENT_TITLE = "{ documents(first: 1) { edges { node { title } } } }"
LOCK_DOCUMENT = text("SELECT 1 FROM documents WHERE id = :id FOR UPDATE")
WAITING = text("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' LIMIT 1")
OTHER_CLIENTS = text(
    "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'"
    " AND pid <> pg_backend_pid()"
)


@dataclass
class Outage:
    """An app on a PostgreSQL server of its own, which the test may stop and start."""

    data_dir: Path
    url: str
    client: httpx.AsyncClient
    production: httpx.AsyncClient
    token: str
    app: Any  # the development app, for websockets

    async def stop_database(self) -> None:
        await asyncio.to_thread(embedded.stop, self.data_dir)

    async def start_database(self) -> str:
        return await asyncio.to_thread(embedded.start, self.data_dir, stop_on_exit=True)

    async def post(self, query: str, *, token: str | None = None, **headers: str) -> httpx.Response:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return await self.client.post("/graphql", json={"query": query}, headers=headers)


async def _editor_session(db: Database, settings: Settings) -> str:
    async with db.transaction() as session:
        org = await OrganizationRepository(session).create(slug="outage", name="Outage")
        return (await signed_in(session, org, "editor", Role.EDITOR, settings)).token


@pytest.fixture
async def outage(settings: Settings, server_settings: ServerSettings) -> AsyncIterator[Outage]:
    workdir = Path(tempfile.mkdtemp(prefix="khub-outage-"))
    data_dir = workdir / "pgdata"
    url = await asyncio.to_thread(embedded.start, data_dir, stop_on_exit=True)
    settings = replace(settings, database_url=url, connect_retries=0)
    engine = create_engine(url, settings)
    db = Database(url=url, engine=engine, sessions=session_factory(engine), settings=settings)
    try:
        await upgrade(url)
        token = await _editor_session(db, settings)
        development = replace(server_settings, database=settings)
        apps = [create_app(replace(development, production=p), database=db) for p in (False, True)]
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]), base_url=BASE) as client,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[1]), base_url=BASE) as prod,
        ):
            yield Outage(data_dir, url, client, prod, token, apps[0])
    finally:
        await engine.dispose()
        await asyncio.to_thread(embedded.stop, data_dir)
        shutil.rmtree(workdir, ignore_errors=True)


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
    assert "Traceback" not in response.text and "connect" not in error["message"].lower()


async def test_an_outage_is_503_and_not_ready_then_service_resumes(outage: Outage) -> None:
    before = await outage.post(DOCUMENT_COUNT, token=outage.token)
    assert before.json() == {"data": {"documents": {"totalCount": 0}}}

    await outage.stop_database()
    signed_in = await outage.post(DOCUMENT_CREATE, token=outage.token)
    anonymous = await outage.post(LOGIN)
    strict = await outage.post(DOCUMENT_COUNT, token=outage.token, Accept=GRAPHQL_RESPONSE)
    production = await outage.production.post(
        "/graphql",
        json={"query": DOCUMENT_COUNT},
        headers={"Authorization": f"Bearer {outage.token}"},
    )
    ready = await outage.client.get("/readyz")
    alive = await outage.client.get("/healthz")

    assert_unavailable(signed_in)
    assert_unavailable(anonymous)
    assert_unavailable(strict)
    assert_unavailable(production)
    assert strict.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert ready.status_code == 503
    assert ready.json()["status"] == "not ready"
    assert ready.json()["database"] == "unreachable"
    assert alive.status_code == 200

    assert await outage.start_database() == outage.url
    ready_again = await outage.client.get("/readyz")
    created = await outage.post(DOCUMENT_CREATE, token=outage.token)
    after = await outage.post(DOCUMENT_COUNT, token=outage.token)

    assert ready_again.status_code == 200
    assert created.json() == {"data": {"documentCreate": {"__typename": "DocumentCreateSuccess"}}}
    assert after.json() == {"data": {"documents": {"totalCount": 1}}}  # the failed one: none


async def test_a_connection_lost_mid_operation_is_503_and_changes_nothing(
    outage: Outage,
) -> None:
    created = await outage.post(DOCUMENT_CREATE_RETURNING, token=outage.token)
    document = created.json()["data"]["documentCreate"]["document"]
    engine = create_engine(outage.url, Settings(database_url=outage.url))
    try:
        async with engine.connect() as holder:
            # Hold the row, so the update waits with its connection open; then end that
            # connection as an administrator (or a failover) would.
            await holder.execute(LOCK_DOCUMENT, {"id": _row_id(document["id"])})
            update = asyncio.create_task(
                outage.client.post(
                    "/graphql",
                    json={"query": DOCUMENT_UPDATE, "variables": {"id": document["id"]}},
                    headers={"Authorization": f"Bearer {outage.token}"},
                )
            )
            await _terminate_the_waiting_update(engine)
            response = await update
            await holder.rollback()
        after = await outage.post(DOCUMENT_TITLE, token=outage.token)
    finally:
        await engine.dispose()

    assert_unavailable(response)
    assert after.json()["data"]["documents"]["edges"][0]["node"]["title"] == "During"


async def test_a_socket_initialised_during_an_outage_closes_with_4503_and_logs_one_line(
    outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    await outage.stop_database()

    with caplog.at_level(logging.INFO):
        async with Socket(outage.app) as socket:
            with pytest.raises(Closed) as closed:
                await socket.init({"token": outage.token})

    assert (closed.value.code, closed.value.reason) == (4503, "Service unavailable")
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.exc_info) for r in lines] == [("khub.subscriptions", None)], lines
    assert "database" in lines[0].getMessage()


async def test_pooled_connections_the_server_closed_are_replaced_unseen(outage: Outage) -> None:
    """The pool checks a connection's socket, not the server (no ping round trips): one that
    an administrator or a failover ended is replaced before a request gets it."""
    warm = await asyncio.gather(
        *(outage.post(DOCUMENT_COUNT, token=outage.token) for _ in range(4))
    )
    engine = create_engine(outage.url, Settings(database_url=outage.url))
    try:
        async with engine.connect() as admin:
            admin = await admin.execution_options(isolation_level="AUTOCOMMIT")
            ended = (await admin.scalars(OTHER_CLIENTS)).all()
            for pid in ended:
                await admin.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        await asyncio.sleep(0.1)  # the event loop reads each closed socket's end
        after = await asyncio.gather(
            *(outage.post(DOCUMENT_CREATE, token=outage.token) for _ in range(4))
        )
    finally:
        await engine.dispose()

    assert ended
    assert [r.status_code for r in warm + after] == [200] * 8
    created = {"data": {"documentCreate": {"__typename": "DocumentCreateSuccess"}}}
    assert [r.json() for r in after] == [created] * 4


def _row_id(global_id: str) -> uuid.UUID:
    return uuid.UUID(relay.from_base64(global_id)[1])


async def _terminate_the_waiting_update(engine: AsyncEngine) -> None:
    async with engine.connect() as watcher:
        watcher = await watcher.execution_options(isolation_level="AUTOCOMMIT")
        for _ in range(200):
            pid = await watcher.scalar(WAITING)
            if pid is not None:
                await watcher.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                return
            await asyncio.sleep(0.05)
    pytest.fail("the update never waited for the row lock")


async def test_a_database_that_never_answers_fails_within_the_connect_timeout() -> None:
    """A server that accepts the connection but never speaks (a hung host, a black-holed
    proxy) is given up after `KHUB_DB_CONNECT_TIMEOUT`, not asyncpg's minute."""
    silent = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    url = f"postgresql://nobody@127.0.0.1:{port}/none"
    engine = create_engine(url, Settings(database_url=url, connect_timeout=1))
    started = asyncio.get_running_loop().time()
    try:
        with pytest.raises((OSError, TimeoutError, DBAPIError)):
            async with engine.connect():
                pass
    finally:
        await engine.dispose()
        silent.close()

    assert asyncio.get_running_loop().time() - started < 10
