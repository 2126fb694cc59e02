"""Changes cross instances through PostgreSQL: two apps on one database, each with its own
listener; a lost listening connection is replaced and subscribers are told."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database, create_engine, session_factory
from tests.fixtures.websocket import Socket
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.subscription.conftest import listening
from tests.graph.subscription.test_document_changed import DOCUMENT_CHANGED, create


@pytest.fixture
async def other_instance(
    subscription_settings: ServerSettings, app_database: Database
) -> AsyncIterator[Any]:
    """A second app with its own engine and pool, as another process would have."""
    engine = create_engine(app_database.url, app_database.settings, app=True)
    database = Database(
        url=app_database.url,
        engine=engine,
        sessions=session_factory(engine),
        settings=app_database.settings,
    )
    other = create_app(subscription_settings, database=database)
    yield other
    await other.state.changes.close()
    await engine.dispose()


async def test_a_subscription_on_one_instance_receives_a_mutation_made_through_another(
    app: Any, other_instance: Any, world: World
) -> None:
    transport = httpx.ASGITransport(app=other_instance)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        Socket(app) as socket,
    ):
        await socket.init({"token": world.viewer.token})
        await socket.subscribe("1", DOCUMENT_CHANGED)
        await listening(app)

        started = time.perf_counter()
        created = await create(GraphQLClient(http), world.editor.token, title="From B")
        change = (await socket.receive(within=1))["payload"]["data"]["documentChanged"]
        elapsed = time.perf_counter() - started
    assert change["document"]["id"] == created["id"]
    assert elapsed < 1


async def test_the_listener_reconnects_after_its_connection_is_terminated_and_says_so(
    app: Any, gql: GraphQLClient, world: World, database: Database
) -> None:
    async with Socket(app) as socket:
        await socket.init({"token": world.viewer.token})
        await socket.subscribe("1", DOCUMENT_CHANGED)
        await listening(app)
        feed = app.state.changes

        async with database.engine.begin() as connection:
            await connection.exec_driver_sql(f"SELECT pg_terminate_backend({feed.backend_pid})")

        missed = (await socket.receive(within=5))["payload"]["data"]["documentChanged"]
        created = await create(gql, world.editor.token, title="After the outage")
        change = (await socket.receive())["payload"]["data"]["documentChanged"]
    assert missed == {"kind": "MISSED_EVENTS", "version": None, "document": None}
    assert change["document"]["id"] == created["id"]
    assert feed.reconnects == 1


async def test_subscriptions_on_many_sockets_each_receive_a_change_once(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    async with Socket(app) as first, Socket(app) as second:
        for socket in (first, second):
            await socket.init({"token": world.viewer.token})
            await socket.subscribe("1", DOCUMENT_CHANGED)
            await socket.subscribe("2", DOCUMENT_CHANGED)
        await listening(app, 4)

        await create(gql, world.editor.token, title="Once each")

        received = [await s.receive() for s in (first, second) for _ in range(2)]
        quiet = await asyncio.gather(first.nothing_within(0.3), second.nothing_within(0.3))
    assert sorted(m["id"] for m in received) == ["1", "1", "2", "2"]
    assert all(quiet)


LOGIN = """
mutation Login($input: LoginInput!) { login(input: $input) { __typename } }
"""
VIEWER = "query Me { viewer { username } }"
LOGOUT = "mutation Logout { logout { __typename } }"


async def test_sessions_and_login_lockouts_are_shared_by_instances(
    gql: GraphQLClient, other_instance: Any, world: World
) -> None:
    transport = httpx.ASGITransport(app=other_instance)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        through_b = GraphQLClient(http)
        organization = world.organization.slug
        wrong = {"login": "viewer", "password": "wrong guess", "organization": organization}
        for _ in range(3):
            await through_b(LOGIN, {"input": wrong})
        right = {**wrong, "password": PASSWORD}
        locked_on_a = await gql(LOGIN, {"input": right})

        await through_b(LOGOUT, token=world.editor.token)
        after_logout_on_a = await gql(VIEWER, token=world.editor.token)

    assert locked_on_a["data"]["login"]["__typename"] == "LoginThrottled"
    assert after_logout_on_a["data"] == {"viewer": None}
