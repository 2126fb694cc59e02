"""Logging in with a second factor, on a pinned clock: the code, its single use, the
throttle, recovery codes and the challenge's expiry."""

from __future__ import annotations

import asyncio

import pyotp
from sqlalchemy import select

from persistence.audit.models import AuditEvent
from persistence.database import Database
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.two_factor.conftest import (
    LOGIN,
    LOGIN_TWO_FACTOR,
    FrozenClock,
    LoginAs,
    enrol,
)

VIEWER = "query Viewer { viewer { username } }"
ROUNDS = 20


def finish(challenge: str, code: str) -> dict[str, object]:
    return {"input": {"challenge": challenge, "code": code}}


async def test_enrolment_makes_login_ask_for_a_code_that_then_signs_in(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    assert len(enrolled.recovery_codes) == 10

    challenge = await challenge_for("editor")
    result = await gql(LOGIN_TWO_FACTOR, finish(challenge, clock.code(enrolled.secret)))

    payload = result["data"]["loginTwoFactor"]
    assert payload["__typename"] == "LoginSuccess"
    assert payload["user"] == {"username": "editor"}
    me = await gql(VIEWER, token=payload["token"])
    assert me == {"data": {"viewer": {"username": "editor"}}}


async def test_enrolment_returns_an_otpauth_uri_for_the_secret(
    gql: GraphQLClient, world: World
) -> None:
    enrolled = (await gql(ENROLL_ONLY, token=world.viewer.token))["data"]["twoFactorEnroll"]

    parsed = pyotp.parse_uri(enrolled["otpauthUri"])
    assert parsed.secret == enrolled["secret"]
    assert enrolled["otpauthUri"].startswith("otpauth://totp/")


ENROLL_ONLY = """
mutation Enroll { twoFactorEnroll { ... on TwoFactorEnrollSuccess { secret otpauthUri } } }
"""


async def test_login_without_a_second_factor_still_signs_in_at_once(
    gql: GraphQLClient, world: World
) -> None:
    variables = {
        "input": {"login": "viewer", "password": PASSWORD, "organization": world.organization.slug}
    }
    result = await gql(LOGIN, variables)

    assert result["data"]["login"]["__typename"] == "LoginSuccess"


async def test_a_code_used_once_is_refused_the_second_time(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    code = clock.code(enrolled.secret)
    first = await gql(LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), code))
    assert first["data"]["loginTwoFactor"]["__typename"] == "LoginSuccess"

    again = await gql(LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), code))

    assert again["data"]["loginTwoFactor"]["__typename"] == "InvalidTwoFactorCode"


async def test_a_code_of_an_earlier_step_is_refused_after_a_later_one_was_used(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    earlier = clock.code(enrolled.secret)
    clock.advance(30)
    later = await gql(
        LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), clock.code(enrolled.secret))
    )
    assert later["data"]["loginTwoFactor"]["__typename"] == "LoginSuccess"

    result = await gql(LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), earlier))

    assert result["data"]["loginTwoFactor"]["__typename"] == "InvalidTwoFactorCode"


async def test_one_code_sent_twice_at_once_signs_in_once(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    for _ in range(ROUNDS):
        clock.advance(30)
        code = clock.code(enrolled.secret)
        challenges = [await challenge_for("editor"), await challenge_for("editor")]

        results = await asyncio.gather(
            *(gql(LOGIN_TWO_FACTOR, finish(c, code)) for c in challenges)
        )

        kinds = sorted(r["data"]["loginTwoFactor"]["__typename"] for r in results)
        assert kinds == ["InvalidTwoFactorCode", "LoginSuccess"]


async def test_one_challenge_sent_twice_at_once_signs_in_once(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    for _ in range(ROUNDS):
        if not enrolled.recovery_codes:
            enrolled = await _enrol_again(gql, world, clock)
        codes = [enrolled.recovery_codes.pop(), enrolled.recovery_codes.pop()]
        challenge = await challenge_for("editor")

        results = await asyncio.gather(
            *(gql(LOGIN_TWO_FACTOR, finish(challenge, code)) for code in codes)
        )

        kinds = sorted(r["data"]["loginTwoFactor"]["__typename"] for r in results)
        assert kinds == ["LoginSuccess", "TwoFactorChallengeInvalid"]


RESET = """
mutation Reset($input: UserTwoFactorResetInput!) {
  userTwoFactorReset(input: $input) { __typename ... on UserTwoFactorResetSuccess { removed } }
}
"""


async def _enrol_again(gql: GraphQLClient, world: World, clock: FrozenClock):  # type: ignore[no-untyped-def]
    reset = await gql(RESET, {"input": {"id": world.editor.global_id}}, token=world.admin.token)
    assert reset["data"]["userTwoFactorReset"]["removed"] is True
    return await enrol(gql, world.editor.token, clock)


async def test_wrong_codes_are_throttled_like_passwords(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    challenge = await challenge_for("editor")
    wrong = "000000" if clock.code(enrolled.secret) != "000000" else "111111"
    answers = [
        (await gql(LOGIN_TWO_FACTOR, finish(challenge, wrong)))["data"]["loginTwoFactor"]
        for _ in range(3)  # the test settings' login_max_failures
    ]
    assert [a["__typename"] for a in answers] == ["InvalidTwoFactorCode"] * 3

    right = await gql(LOGIN_TWO_FACTOR, finish(challenge, clock.code(enrolled.secret)))

    payload = right["data"]["loginTwoFactor"]
    assert payload["__typename"] == "LoginThrottled"
    assert payload["retryAfter"] > 0


async def test_a_correct_password_does_not_clear_the_count_of_wrong_codes(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    wrong = "000000" if clock.code(enrolled.secret) != "000000" else "111111"
    for _ in range(3):
        await gql(LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), wrong))

    result = await gql(
        LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), clock.code(enrolled.secret))
    )

    assert result["data"]["loginTwoFactor"]["__typename"] == "LoginThrottled"


async def test_typed_logins_cannot_use_up_a_users_allowance_of_wrong_codes(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    for spelling in (
        f"Second factor of {world.editor.user.id}",
        f"second factor of {world.editor.user.id}",
    ):
        for _ in range(3):
            variables = {
                "input": {
                    "login": spelling,
                    "password": "wrong password",
                    "organization": world.organization.slug,
                }
            }
            await gql(LOGIN, variables)

    result = await gql(
        LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), clock.code(enrolled.secret))
    )

    assert result["data"]["loginTwoFactor"]["__typename"] == "LoginSuccess"


async def test_a_recovery_code_signs_in_once(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    code = enrolled.recovery_codes[0].upper().replace("-", " ")  # as a person might type it
    first = await gql(LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), code))
    assert first["data"]["loginTwoFactor"]["__typename"] == "LoginSuccess"

    again = await gql(LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), code))

    assert again["data"]["loginTwoFactor"]["__typename"] == "InvalidTwoFactorCode"


async def test_an_expired_challenge_is_refused(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    challenge = await challenge_for("editor")
    clock.advance(301)  # the default KHUB_TWO_FACTOR_CHALLENGE_SECONDS is 300

    result = await gql(LOGIN_TWO_FACTOR, finish(challenge, clock.code(enrolled.secret)))

    assert result["data"]["loginTwoFactor"]["__typename"] == "TwoFactorChallengeInvalid"


async def test_a_used_challenge_is_refused(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    challenge = await challenge_for("editor")
    first = await gql(LOGIN_TWO_FACTOR, finish(challenge, clock.code(enrolled.secret)))
    assert first["data"]["loginTwoFactor"]["__typename"] == "LoginSuccess"
    clock.advance(30)

    again = await gql(LOGIN_TWO_FACTOR, finish(challenge, clock.code(enrolled.secret)))

    assert again["data"]["loginTwoFactor"]["__typename"] == "TwoFactorChallengeInvalid"


async def test_a_malformed_code_is_a_validation_error_and_counts_nothing(
    gql: GraphQLClient, world: World, clock: FrozenClock, challenge_for: LoginAs
) -> None:
    await enrol(gql, world.editor.token, clock)
    challenge = await challenge_for("editor")

    result = await gql(LOGIN_TWO_FACTOR, finish(challenge, "12 34"))

    assert result["data"]["loginTwoFactor"] == {
        "__typename": "ValidationError",
        "message": "the code must be the authenticator's six digits or a recovery code",
    }


async def test_login_two_factor_must_be_alone_in_its_operation(gql: GraphQLClient) -> None:
    result = await gql(
        """
        mutation Both {
          loginTwoFactor(input: {challenge: "x", code: "123456"}) { __typename }
          logout { __typename }
        }
        """
    )

    assert "data" not in result
    assert len(result["errors"]) == 1
    assert "must be the only field of its operation" in result["errors"][0]["message"]


async def test_the_second_step_is_audited_with_how_it_was_passed(
    gql: GraphQLClient,
    world: World,
    clock: FrozenClock,
    challenge_for: LoginAs,
    database: Database,
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)
    await gql(LOGIN_TWO_FACTOR, finish(await challenge_for("editor"), enrolled.recovery_codes[0]))

    async with database.transaction(world.organization.id) as session:
        changes = await session.scalar(
            select(AuditEvent.changes).where(
                AuditEvent.organization_id == world.organization.id,
                AuditEvent.action == "loginTwoFactor",
            )
        )
    assert changes == {"second_factor": {"old": None, "new": "recovery code"}}
