"""A worker's pool under load: it keeps the connections it opened, and a request that waits
too long for one is told to come back (503), not shown a bug."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database, create_engine, session_factory
from persistence.settings import Settings
from tests.graph.conftest import World
from tests.graph.test_outage import assert_unavailable

DOCUMENT_COUNT = "{ documents(first: 1) { totalCount } }"
DOCUMENT_CREATE = 'mutation { documentCreate(input: {title: "Waiting"}) { __typename } }'
LOGIN = 'mutation { login(input: {login: "nobody", password: "wrong"}) { __typename } }'
ROUNDS = 20


@asynccontextmanager
async def app_with_pool(
    server_settings: ServerSettings, app_database: Database, **pool: int
) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
    """An app on an engine of its own, whose pool has the default settings but for `pool`."""
    defaults = Settings()
    settings = replace(
        app_database.settings,
        pool_size=pool.get("pool_size", defaults.pool_size),
        max_overflow=pool.get("max_overflow", defaults.max_overflow),
        pool_timeout=pool.get("pool_timeout", defaults.pool_timeout),
    )
    engine = create_engine(app_database.url, settings, app=True)
    database = Database(
        url=app_database.url, engine=engine, sessions=session_factory(engine), settings=settings
    )
    app = create_app(replace(server_settings, database=settings), database=database)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, engine
    finally:
        await app.state.changes.close()
        await app.state.retrieval.close()
        await engine.dispose()


@contextmanager
def counting_connects(engine: AsyncEngine) -> Iterator[list[object]]:
    """Every new connection the engine's pool opens (a login and a backend each)."""
    opened: list[object] = []

    def connected(dbapi_connection: Any, record: Any) -> None:
        opened.append(dbapi_connection)

    event.listen(engine.sync_engine, "connect", connected)
    try:
        yield opened
    finally:
        event.remove(engine.sync_engine, "connect", connected)


async def post(client: httpx.AsyncClient, query: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def test_under_sustained_concurrency_the_default_pool_opens_no_connection_after_warming(
    server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    """Three times as many requests at once as the default pool holds, 20 rounds: the pool
    opens its connections in the first round and keeps them, instead of closing overflow
    connections at checkin and logging in again for the next request."""
    pool_size = Settings().pool_size
    async with app_with_pool(server_settings, app_database) as (client, engine):
        with counting_connects(engine) as opened:
            opened_by_round = []
            for _ in range(ROUNDS):
                responses = await asyncio.gather(
                    *(
                        post(client, DOCUMENT_COUNT, world.viewer.token)
                        for _ in range(3 * pool_size)
                    )
                )
                assert [r.status_code for r in responses] == [200] * (3 * pool_size)
                assert all(
                    r.json() == {"data": {"documents": {"totalCount": 0}}} for r in responses
                )
                opened_by_round.append(len(opened))

    assert 1 < opened_by_round[0] <= pool_size  # the requests truly competed for connections
    assert opened_by_round[1:] == [opened_by_round[0]] * (ROUNDS - 1)


async def test_a_request_that_waits_longer_than_the_pool_timeout_is_503(
    server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    """Every connection is busy for longer than `KHUB_DB_POOL_TIMEOUT`: the request is told
    to come back (503, `Retry-After`, SERVICE_UNAVAILABLE), whatever path it takes."""
    async with app_with_pool(
        server_settings, app_database, pool_size=1, max_overflow=0, pool_timeout=1
    ) as (client, engine):
        async with engine.connect():  # the pool's only connection, held
            compiled_read = await post(client, DOCUMENT_COUNT, world.viewer.token)
            mutation = await post(client, DOCUMENT_CREATE, world.editor.token)
            anonymous = await post(client, LOGIN, None)
        after = await post(client, DOCUMENT_COUNT, world.viewer.token)

    assert_unavailable(compiled_read)
    assert_unavailable(mutation)
    assert_unavailable(anonymous)
    assert after.json() == {"data": {"documents": {"totalCount": 0}}}  # nothing was created


async def test_overflow_connections_are_warned_of_once_at_start_up(
    settings: Settings,
    database_url: str,
    app_database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An operator who allows overflow is told that, under sustained load, those connections
    are opened and closed per request; the default fixed pool says nothing."""
    told = replace(
        settings, database_url=database_url, app_database_url=app_database_url, max_overflow=3
    )
    with caplog.at_level(logging.WARNING, logger="persistence.database"):
        for chosen in (told, replace(told, max_overflow=Settings().max_overflow)):
            await (await Database.open(chosen, as_app=True)).close()

    (line,) = [r for r in caplog.records if r.name == "persistence.database"]
    assert line.levelno == logging.WARNING
    assert "KHUB_DB_MAX_OVERFLOW=3" in line.getMessage()
