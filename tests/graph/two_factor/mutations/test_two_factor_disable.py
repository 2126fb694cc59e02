from __future__ import annotations

from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.two_factor.conftest import LOGIN, FrozenClock, enrol

DISABLE = """
mutation Disable($input: TwoFactorDisableInput!) {
  twoFactorDisable(input: $input) {
    __typename
    ... on TwoFactorDisableSuccess { user { username } }
    ... on Error { message }
  }
}
"""


async def test_disabling_with_a_code_makes_login_ask_for_the_password_only(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)

    result = await gql(
        DISABLE, {"input": {"code": clock.code(enrolled.secret)}}, token=world.editor.token
    )

    assert result["data"]["twoFactorDisable"] == {
        "__typename": "TwoFactorDisableSuccess",
        "user": {"username": "editor"},
    }
    variables = {
        "input": {"login": "editor", "password": PASSWORD, "organization": world.organization.slug}
    }
    login = await gql(LOGIN, variables)
    assert login["data"]["login"]["__typename"] == "LoginSuccess"


async def test_disabling_with_a_wrong_code_changes_nothing(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    wrong = "000000" if clock.code(enrolled.secret) != "000000" else "111111"

    result = await gql(DISABLE, {"input": {"code": wrong}}, token=world.editor.token)

    assert result["data"]["twoFactorDisable"]["__typename"] == "InvalidTwoFactorCode"
    variables = {
        "input": {"login": "editor", "password": PASSWORD, "organization": world.organization.slug}
    }
    login = await gql(LOGIN, variables)
    assert login["data"]["login"]["__typename"] == "TwoFactorRequired"


async def test_a_recovery_code_disables_too(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)

    result = await gql(
        DISABLE, {"input": {"code": enrolled.recovery_codes[3]}}, token=world.editor.token
    )

    assert result["data"]["twoFactorDisable"]["__typename"] == "TwoFactorDisableSuccess"
