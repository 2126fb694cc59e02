"""Authentication on the websocket: the token in `connection_init` or the upgrade's header,
4403 for a credential that opens nothing, and an end for one that stops holding."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from tests.fixtures.websocket import Closed, Socket
from tests.graph.conftest import GraphQLClient, World
from tests.graph.subscription.conftest import listening

AUDIT = "subscription Audit { auditEventAdded { kind auditEvent { action } } }"
LOGOUT = "mutation Logout { logout { __typename } }"


@pytest.mark.parametrize(
    "how",
    ["token", "authorization", "Authorization", "header"],
)
async def test_the_token_in_connection_init_or_the_header_authenticates_the_socket(
    app: Any, gql: GraphQLClient, world: World, how: str
) -> None:
    token = world.admin.token
    payload = {
        "token": {"token": token},
        "authorization": {"authorization": f"Bearer {token}"},
        "Authorization": {"Authorization": f"Bearer {token}"},  # GraphiQL's Headers tab
    }
    headers = {"Authorization": f"Bearer {token}"} if how == "header" else None
    async with Socket(app, headers=headers) as socket:
        ack = await socket.init(payload.get(how))
        await socket.subscribe("1", AUDIT)
        await listening(app)
        await gql(LOGOUT, token=world.editor.token)

        event = await socket.receive()
    assert ack == {"type": "connection_ack"}
    assert event["payload"]["data"]["auditEventAdded"] == {
        "kind": "CREATED",
        "auditEvent": {"action": "logout"},
    }


async def test_an_invalid_token_closes_the_socket_with_4403(app: Any) -> None:
    async with Socket(app) as socket:
        with pytest.raises(Closed) as closed:
            await socket.init({"token": "khs_not-a-real-token"})
    assert closed.value.code == 4403


async def test_a_subscription_without_credentials_is_unauthenticated(app: Any) -> None:
    async with Socket(app) as socket:
        await socket.init()
        await socket.subscribe("1", AUDIT)
        answer = await socket.receive()
    assert answer["type"] == "next", answer
    (error,) = answer["payload"]["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_audit_events_are_for_admins_only(app: Any, world: World) -> None:
    async with Socket(app) as socket:
        await socket.init({"token": world.editor.token})
        await socket.subscribe("1", AUDIT)
        answer = await socket.receive()
    assert answer["type"] == "error", answer
    (error,) = answer["payload"]
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_a_revoked_session_closes_the_socket_within_the_recheck_interval(
    server_settings: ServerSettings, app_database: Database, gql: GraphQLClient, world: World
) -> None:
    quick = create_app(
        replace(server_settings, subscription_recheck_seconds=0.3), database=app_database
    )
    try:
        async with Socket(quick) as socket:
            await socket.init({"token": world.viewer.token})
            await socket.subscribe("1", "subscription S { documentChanged { kind } }")
            await listening(quick)

            await gql(LOGOUT, token=world.viewer.token)

            with pytest.raises(Closed) as closed:
                await socket.receive(within=2)
    finally:
        await quick.state.changes.close()
    assert closed.value.code == 4403


async def test_queries_over_the_socket_run_as_its_authenticated_user(
    app: Any, world: World
) -> None:
    async with Socket(app) as socket:
        await socket.init({"token": world.editor.token})
        for id in ("1", "2"):
            await socket.subscribe(id, "query Me { viewer { username } }")
        answers = [await socket.receive() for _ in range(4)]
    results = [a for a in answers if a["type"] == "next"]
    assert [r["payload"] for r in results] == [{"data": {"viewer": {"username": "editor"}}}] * 2
    assert sorted(a["id"] for a in answers if a["type"] == "complete") == ["1", "2"]


async def test_a_query_over_a_socket_whose_session_was_revoked_closes_it(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    async with Socket(app) as socket:
        await socket.init({"token": world.viewer.token})
        await gql(LOGOUT, token=world.viewer.token)

        await socket.subscribe("1", "query Me { viewer { username } }")
        answers = []
        with pytest.raises(Closed) as closed:
            while True:
                answers.append(await socket.receive())
    assert closed.value.code == 4403
    assert all(a.get("payload", {}).get("data") in (None, {"viewer": None}) for a in answers)


async def test_a_subscription_over_http_is_refused_as_a_bad_request(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "subscription S { documentChanged { kind } }"},
        headers={
            "Authorization": f"Bearer {world.viewer.token}",
            "Accept": "application/graphql-response+json",
        },
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert error["message"].startswith("Subscriptions run over a websocket")
    assert "data" not in response.json()


async def test_changes_a_subscription_ignores_never_postpone_its_credential_check(
    server_settings: ServerSettings, app_database: Database, gql: GraphQLClient, world: World
) -> None:
    quick = create_app(
        replace(server_settings, subscription_recheck_seconds=0.5), database=app_database
    )
    try:
        async with Socket(quick) as socket:
            await socket.init({"token": world.viewer.token})
            await socket.subscribe("1", "subscription S { documentChanged { kind } }")
            await listening(quick)
            await gql(LOGOUT, token=world.viewer.token)

            async def knowledge_keeps_changing() -> None:
                for i in range(30):  # audit events of another kind, every 0.1 s
                    node = {"label": f"n{i}", "nodeType": "concept"}
                    await gql(NODE_CREATE, {"input": node}, token=world.editor.token)
                    await asyncio.sleep(0.1)

            noise = asyncio.create_task(knowledge_keeps_changing())
            try:
                with pytest.raises(Closed) as closed:
                    await socket.receive(within=2)
            finally:
                noise.cancel()
    finally:
        await quick.state.changes.close()
    assert closed.value.code == 4403


NODE_CREATE = """
mutation Node($input: KnowledgeNodeCreateInput!) {
  knowledgeNodeCreate(input: $input) { __typename }
}
"""
