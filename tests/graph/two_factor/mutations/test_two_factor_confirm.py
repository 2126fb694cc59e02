from __future__ import annotations

from tests.graph.conftest import GraphQLClient, World
from tests.graph.two_factor.conftest import CONFIRM, ENROLL, FrozenClock


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
