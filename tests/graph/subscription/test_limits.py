"""Limits: subscriptions per socket, and a client too slow for its changes is disconnected
rather than buffered without bound."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from tests.fixtures.websocket import Closed, Socket
from tests.graph.conftest import GraphQLClient, World
from tests.graph.subscription.conftest import listening
from tests.graph.subscription.test_document_changed import DOCUMENT_CHANGED

FOUR_AT_ONCE = """
mutation Four {
  a: documentCreate(input: {title: "a"}) { __typename }
  b: documentCreate(input: {title: "b"}) { __typename }
  c: documentCreate(input: {title: "c"}) { __typename }
  d: documentCreate(input: {title: "d"}) { __typename }
}
"""


@pytest.fixture
async def strict(server_settings: ServerSettings, app_database: Database) -> AsyncIterator[Any]:
    settings = replace(
        server_settings,
        max_subscriptions_per_connection=1,
        max_subscriptions_per_principal=2,
        subscription_queue_size=1,
    )
    app = create_app(settings, database=app_database)
    yield app
    await app.state.changes.close()


async def test_a_socket_runs_at_most_the_configured_number_of_subscriptions(
    strict: Any, world: World
) -> None:
    async with Socket(strict) as socket:
        await socket.init({"token": world.viewer.token})
        await socket.subscribe("1", DOCUMENT_CHANGED)
        await socket.subscribe("2", DOCUMENT_CHANGED)
        refused = await socket.receive()
    assert refused == {
        "id": "2",
        "type": "error",
        "payload": [{"message": "Subscription limit reached"}],
    }


async def test_a_principal_runs_at_most_the_configured_number_of_subscriptions(
    strict: Any, world: World
) -> None:
    async with Socket(strict) as a, Socket(strict) as b, Socket(strict) as c:
        for socket in (a, b, c):
            await socket.init({"token": world.viewer.token})
        await a.subscribe("1", DOCUMENT_CHANGED)
        await b.subscribe("1", DOCUMENT_CHANGED)
        await listening(strict, 2)
        await c.subscribe("1", DOCUMENT_CHANGED)
        refused = await c.receive()
    assert refused["type"] == "next"
    (error,) = refused["payload"]["errors"]
    assert error["extensions"] == {"code": "SUBSCRIPTION_LIMIT"}
    assert error["message"] == "at most 2 subscriptions at once per principal"


async def test_a_subscriber_whose_queue_overflows_is_disconnected(
    strict: Any, world: World, gql: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    async with Socket(strict) as socket:
        await socket.init({"token": world.viewer.token})
        await socket.subscribe("1", DOCUMENT_CHANGED)
        await listening(strict)

        result = await gql(FOUR_AT_ONCE, token=world.editor.token)  # four notices at commit

        with pytest.raises(Closed) as closed:
            while True:
                await socket.receive()
    assert "errors" not in result
    assert closed.value.code == 1013
    assert strict.state.changes.subscriber_count == 0
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []  # not a bug
