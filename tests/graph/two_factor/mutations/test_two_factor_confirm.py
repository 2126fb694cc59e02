from __future__ import annotations

from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.fixtures import only
from tests.graph.two_factor.conftest import CONFIRM, ENROLL, LOGIN, FrozenClock


async def test_a_wrong_code_leaves_the_enrolment_pending(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    secret = (await gql(ENROLL, token=world.editor.token))["data"]["twoFactorEnroll"]["secret"]
    wrong = "000000" if clock.code(secret) != "000000" else "111111"

    refused = await gql(CONFIRM, {"input": {"code": wrong}}, token=world.editor.token)
    accepted = await gql(CONFIRM, {"input": {"code": clock.code(secret)}}, token=world.editor.token)

    assert refused["data"]["twoFactorConfirm"]["__typename"] == "InvalidTwoFactorCode"
    assert accepted["data"]["twoFactorConfirm"]["__typename"] == "TwoFactorConfirmSuccess"


async def test_confirming_without_an_enrolment_is_refused(gql: GraphQLClient, world: World) -> None:
    result = await gql(CONFIRM, {"input": {"code": "123456"}}, token=world.editor.token)

    assert result["data"]["twoFactorConfirm"] == {
        "__typename": "InvalidTwoFactorCode",
        "message": "the code is not correct (or no enrolment is pending)",
    }


async def test_recovery_codes_are_ten_distinct_codes(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    secret = (await gql(ENROLL, token=world.editor.token))["data"]["twoFactorEnroll"]["secret"]

    result = await gql(CONFIRM, {"input": {"code": clock.code(secret)}}, token=world.editor.token)

    codes = result["data"]["twoFactorConfirm"]["recoveryCodes"]
    assert len(set(codes)) == 10
    assert all(len(c) == 19 and c.count("-") == 3 for c in codes)


REVOKED = """
mutation Confirm($input: TwoFactorConfirmInput!) {
  twoFactorConfirm(input: $input) {
    ... on TwoFactorConfirmSuccess { revokedSessions revokedApiKeys }
  }
}
"""

CREATE_KEY = """
mutation { apiKeyCreate(input: {name: "ci", scopes: [READ, WRITE]}) {
  ... on ApiKeyCreateSuccess { secret }
} }
"""

VIEWER = "{ viewer { username } }"


async def test_turning_the_second_factor_on_ends_what_the_password_alone_opened(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    """Whoever knew the password may hold a session or a key made on one: once logins ask
    for a code, those must not outlive the change (as after `passwordChange`)."""
    other = world.editor.token
    variables = {
        "input": {"login": "editor", "password": PASSWORD, "organization": world.organization.slug}
    }
    current = only(await gql(LOGIN, variables), "login")["token"]
    key = only(await gql(CREATE_KEY, token=other), "apiKeyCreate")["secret"]
    secret = only(await gql(ENROLL, token=current), "twoFactorEnroll")["secret"]

    result = await gql(REVOKED, {"input": {"code": clock.code(secret)}}, token=current)

    assert only(result, "twoFactorConfirm") == {"revokedSessions": 1, "revokedApiKeys": 1}
    assert await gql(VIEWER, token=other) == {"data": {"viewer": None}}
    assert await gql(VIEWER, token=key) == {"data": {"viewer": None}}
    assert await gql(VIEWER, token=current) == {"data": {"viewer": {"username": "editor"}}}
    assert await gql(VIEWER, token=world.viewer.token) == {
        "data": {"viewer": {"username": "viewer"}}
    }
