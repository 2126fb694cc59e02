"""The API through PgBouncer in transaction mode, where consecutive transactions of one app
connection run on different server connections that other clients share: no session state
may be relied on, no prepared statement kept or named (`persistence/database.py`).

Skipped when the `pgbouncer` binary is missing. The whole suite runs through it with
KHUB_TEST_THROUGH_PGBOUNCER=1 (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database, create_engine, session_factory
from persistence.settings import Settings
from tests.fixtures import pgbouncer
from tests.fixtures.statements import StatementCounter
from tests.fixtures.websocket import Socket
from tests.graph.compiler.data import build
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.subscription.conftest import listening

pytestmark = pytest.mark.pgbouncer

MARK = "/* khub:compiled */"
LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { token } }
}
"""
VIEWER = "query Me { viewer { username roles } }"
DOCUMENTS = "query Titles { documents(first: 5) { totalCount edges { node { title } } } }"
REFERENCE = """
query Mixed {
  __schema { queryType { name } }
  documents(first: 3) { totalCount edges { node { title owner { username } tags { name } } } }
}
"""
CREATE = """
mutation Create($title: String!) {
  documentCreate(input: {title: $title}) {
    __typename ... on DocumentCreateSuccess { document { id version } }
  }
}
"""
UPDATE = """
mutation Update($input: DocumentUpdateInput!) {
  documentUpdate(input: $input) {
    __typename ... on DocumentUpdateSuccess { document { title version } }
  }
}
"""
KEY_CREATE = """
mutation Key($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) { ... on ApiKeyCreateSuccess { secret } }
}
"""
CHANGES = "subscription Changes { documentChanged { kind document { title } } }"
SESSION_STATE = text(
    "SELECT current_setting('app.organization_id', true),"
    " current_setting('statement_timeout')::interval = make_interval(secs => :ms / 1000.0),"
    " (SELECT count(*) FROM pg_prepared_statements)"
)


@pytest.fixture(scope="module")
def bouncer_settings(settings: Settings) -> Settings:
    return replace(settings, pgbouncer=True)


@pytest.fixture(scope="module")
async def bouncer_engine(
    app_database_url: str, pgbouncer_port: int, bouncer_settings: Settings
) -> AsyncIterator[AsyncEngine]:
    """The app's engine, its URL by way of PgBouncer (already so with the whole suite through
    it: `through` changes nothing then)."""
    url = pgbouncer.through(app_database_url, pgbouncer_port)
    engine = create_engine(url, bouncer_settings, app=True)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def bouncer_app(bouncer_engine: AsyncEngine, bouncer_settings: Settings) -> Any:
    database = Database(
        url=str(bouncer_engine.url),
        engine=bouncer_engine,
        sessions=session_factory(bouncer_engine),
        settings=bouncer_settings,
    )
    return create_app(ServerSettings(database=bouncer_settings), database=database)


@pytest.fixture
async def bouncer(bouncer_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=bouncer_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def bgql(bouncer: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(bouncer)


async def _post(client: httpx.AsyncClient, query: str, token: str) -> httpx.Response:
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response


async def test_login_through_pgbouncer_returns_a_token_that_authenticates(
    bgql: GraphQLClient, world: World
) -> None:
    credentials = {"login": "editor", "password": PASSWORD, "organization": world.organization.slug}

    login = (await bgql(LOGIN, {"input": credentials}))["data"]["login"]
    me = await bgql(VIEWER, token=login["token"])

    assert login["__typename"] == "LoginSuccess"
    assert me == {"data": {"viewer": {"username": "editor", "roles": ["EDITOR"]}}}


async def test_compiled_reads_and_a_known_caller_through_pgbouncer(
    bouncer: httpx.AsyncClient, world: World, database: Database, bouncer_engine: AsyncEngine
) -> None:
    """The second request is the known caller's one statement, run outside a transaction."""
    await build(world, database)
    first = await _post(bouncer, DOCUMENTS, world.viewer.token)
    with StatementCounter.listening(bouncer_engine) as statements:
        again = await _post(bouncer, DOCUMENTS, world.viewer.token)

    assert first.headers["x-khub-execution"] == again.headers["x-khub-execution"] == "compiled"
    assert first.json() == again.json()
    assert first.json()["data"]["documents"]["totalCount"] > 0
    assert [("khub_authenticate" in s, MARK in s) for s in statements.statements] == [(True, True)]


async def test_reference_reads_through_pgbouncer(
    bouncer: httpx.AsyncClient, world: World, database: Database
) -> None:
    await build(world, database)

    response = await _post(bouncer, REFERENCE, world.admin.token)

    assert response.headers["x-khub-execution"] == "reference"
    assert response.json()["data"]["documents"]["totalCount"] > 0


async def test_mutations_through_pgbouncer(bgql: GraphQLClient, world: World) -> None:
    token = world.editor.token
    created = (await bgql(CREATE, {"title": "Pooled"}, token=token))["data"]["documentCreate"]
    document = created["document"]
    update = {"id": document["id"], "expectedVersion": document["version"], "title": "Renamed"}

    updated = (await bgql(UPDATE, {"input": update}, token=token))["data"]["documentUpdate"]
    stale = (await bgql(UPDATE, {"input": update}, token=token))["data"]["documentUpdate"]

    assert created["__typename"] == "DocumentCreateSuccess"
    assert updated == {
        "__typename": "DocumentUpdateSuccess",
        "document": {"title": "Renamed", "version": document["version"] + 1},
    }
    assert stale == {"__typename": "VersionConflict"}


async def test_an_api_key_through_pgbouncer_reads_as_a_known_caller(
    bgql: GraphQLClient, bouncer: httpx.AsyncClient, world: World, database: Database
) -> None:
    await build(world, database)
    variables = {"input": {"name": "pooled", "scopes": ["READ"]}}
    secret = (await bgql(KEY_CREATE, variables, token=world.editor.token))["data"]["apiKeyCreate"]

    answers = [await _post(bouncer, DOCUMENTS, secret["secret"]) for _ in range(3)]

    assert {a.headers["x-khub-execution"] for a in answers} == {"compiled"}
    assert all(a.json()["data"]["documents"]["totalCount"] > 0 for a in answers)


async def test_concurrent_requests_through_pgbouncer_share_its_few_server_connections(
    bouncer: httpx.AsyncClient, world: World, database: Database
) -> None:
    """More clients than PgBouncer has server connections: every transaction lands on one
    another client used before, so any state a connection kept would show up here."""
    await build(world, database)
    member_tokens = [world.viewer.token, world.editor.token, world.admin.token]

    async def create(n: int) -> httpx.Response:
        variables = {"query": CREATE, "variables": {"title": f"Concurrent {n}"}}
        headers = {"Authorization": f"Bearer {world.editor.token}"}
        return await bouncer.post("/graphql", json=variables, headers=headers)

    for round_ in range(20):
        reads = [_post(bouncer, DOCUMENTS, token) for token in member_tokens * 2]
        past = [_post(bouncer, REFERENCE, world.admin.token) for _ in range(2)]
        writes = [create(round_ * 10 + n) for n in range(3)]
        responses = await asyncio.gather(*reads, *past, *writes)

        assert [r.status_code for r in responses] == [200] * len(responses)
        bodies = [r.json() for r in responses]
        assert all("errors" not in body for body in bodies), bodies
        assert [b["data"]["documentCreate"]["__typename"] for b in bodies[-3:]] == [
            "DocumentCreateSuccess"
        ] * 3


async def test_the_apps_transactions_leave_no_session_state_behind_pgbouncer(
    bgql: GraphQLClient,
    bouncer: httpx.AsyncClient,
    world: World,
    bouncer_engine: AsyncEngine,
    settings: Settings,
) -> None:
    """After requests of every kind, each server connection shows the role's defaults: no
    organization, the role's timeout, and no prepared statement left (named ones would pile
    up on the shared server connections, and collide between clients)."""
    for n in range(3):
        await _post(bouncer, DOCUMENTS, world.viewer.token)
        await _post(bouncer, REFERENCE, world.admin.token)
        await bgql(CREATE, {"title": f"Stateless {n}"}, token=world.editor.token)

    states = set()
    for _ in range(pgbouncer.POOL_SIZE * 3):
        async with bouncer_engine.connect() as conn:
            row = (await conn.execute(SESSION_STATE, {"ms": settings.statement_timeout_ms})).one()
            states.add((row[0] or "", *row[1:]))

    assert states == {("", True, 0)}


async def test_pgbouncer_keeps_serving_after_logging_more_than_a_pipe_holds(
    app_database_url: str, pgbouncer_port: int
) -> None:
    """PgBouncer logs two lines per client connection; a whole-suite run opens thousands.
    Written to a pipe nobody reads, the 64 KiB pipe filled and PgBouncer blocked mid-run
    with its server connections held (the suite hung at whichever test ran then)."""
    url = pgbouncer.through(app_database_url, pgbouncer_port).replace("+asyncpg", "")

    async def connect_and_leave() -> None:
        connection = await asyncpg.connect(url, statement_cache_size=0)
        await connection.close()

    async def many() -> int:
        for _ in range(600):  # ~150 bytes a line: well past 64 KiB
            await connect_and_leave()
        connection = await asyncpg.connect(url, statement_cache_size=0)
        try:
            return await connection.fetchval("SELECT 1")
        finally:
            await connection.close()

    assert await asyncio.wait_for(many(), timeout=60) == 1


async def test_a_subscription_behind_pgbouncer_listens_directly_and_hears_changes(
    bgql: GraphQLClient,
    bouncer_engine: AsyncEngine,
    bouncer_settings: Settings,
    direct_app_url: str,
    world: World,
) -> None:
    """A LISTEN through a transaction-mode pooler ends with its transaction's server
    connection and hears nothing: the change feed LISTENs on KHUB_DATABASE_LISTEN_URL."""
    settings = replace(bouncer_settings, listen_url=direct_app_url)
    url = bouncer_engine.url.render_as_string(hide_password=False)
    database = Database(
        url=url, engine=bouncer_engine, sessions=session_factory(bouncer_engine), settings=settings
    )
    app = create_app(ServerSettings(database=settings), database=database)
    try:
        async with Socket(app) as socket:
            assert (await socket.init({"token": world.viewer.token}))["type"] == "connection_ack"
            await socket.subscribe("1", CHANGES)
            await listening(app)
            await bgql(CREATE, {"title": "Heard"}, token=world.editor.token)
            event = await socket.receive()
    finally:
        await app.state.changes.close()

    assert event["payload"] == {
        "data": {"documentChanged": {"kind": "CREATED", "document": {"title": "Heard"}}}
    }
