from __future__ import annotations

from typing import Any

import httpx

from graph.settings import ServerSettings
from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.two_factor.conftest import ENROLL, FrozenClock, enrol, keyed_app


async def test_enrolling_when_two_factor_is_on_is_refused(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await enrol(gql, world.editor.token, clock)

    result = await gql(ENROLL, token=world.editor.token)

    assert result["data"]["twoFactorEnroll"] == {
        "__typename": "AlreadyExists",
        "message": "two-factor authentication is on already: disable it first",
    }


async def test_enrolling_again_before_confirming_replaces_the_pending_secret(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    first = (await gql(ENROLL, token=world.editor.token))["data"]["twoFactorEnroll"]
    second = (await gql(ENROLL, token=world.editor.token))["data"]["twoFactorEnroll"]

    stale = await gql(
        CONFIRM, {"input": {"code": clock.code(first["secret"])}}, token=world.editor.token
    )

    assert first["secret"] != second["secret"]
    assert stale["data"]["twoFactorConfirm"]["__typename"] == "InvalidTwoFactorCode"


CONFIRM = """
mutation Confirm($input: TwoFactorConfirmInput!) {
  twoFactorConfirm(input: $input) { __typename }
}
"""


async def test_enrolling_needs_a_signed_in_caller(gql: GraphQLClient) -> None:
    result = await gql(ENROLL)

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


async def test_without_secret_keys_enrolling_answers_unavailable(
    server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    app: Any = keyed_app(server_settings, app_database, ())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        result = await GraphQLClient(http)(ENROLL, token=world.editor.token)

    assert result["data"]["twoFactorEnroll"] == {
        "__typename": "TwoFactorUnavailable",
        "message": "two-factor authentication is not set up here",
    }
