"""A subscription through `khub serve` as a real process: uvicorn's websockets, the
graphql-transport-ws handshake a browser client does, and a clean stop with it open."""

from __future__ import annotations

import asyncio
import json
import signal
from typing import Any

import httpx
from websockets.asyncio.client import connect

from tests.test_serve_e2e import (  # noqa: F401 (fixtures)
    LOGIN,
    PASSWORD,
    STOP_SECONDS,
    Served,
    environment,
    graphql,
    served,
)

WATCH = "subscription Watch { documentChanged { kind document { title } } }"
CREATE = 'mutation Create { documentCreate(input: {title: "Live"}) { __typename } }'


async def first_change(socket: Any, http: httpx.AsyncClient, token: str) -> Any:
    """Create documents until the subscription reports one: nothing tells a client when
    the server started listening for it."""
    for _ in range(20):
        await graphql(http, CREATE, token=token)
        try:
            return await asyncio.wait_for(socket.recv(), 1)
        except TimeoutError:
            continue
    raise AssertionError("no change arrived")


async def test_a_browser_style_client_receives_a_change_and_the_server_stops_cleanly(
    served: Served,  # noqa: F811 (the fixture, imported above)
) -> None:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        login = await graphql(http, LOGIN, {"password": PASSWORD})
        token = login["data"]["login"]["token"]
        url = served.base_url.replace("http://", "ws://") + "/graphql"
        async with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
            await socket.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
            ack = await asyncio.wait_for(socket.recv(), 5)
            subscribe = {"id": "1", "type": "subscribe", "payload": {"query": WATCH}}
            await socket.send(json.dumps(subscribe))
            event = await first_change(socket, http, token)

            served.process.send_signal(signal.SIGINT)  # Ctrl-C with the subscription open
            status = await asyncio.wait_for(served.process.wait(), STOP_SECONDS)

    assert socket.subprotocol == "graphql-transport-ws"
    assert isinstance(ack, str) and json.loads(ack) == {"type": "connection_ack"}
    assert isinstance(event, str), "graphql-ws clients read text frames only"
    assert json.loads(event)["payload"]["data"] == {
        "documentChanged": {"kind": "CREATED", "document": {"title": "Live"}}
    }
    assert status == 0, served.printed
