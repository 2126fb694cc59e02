"""Login throttling through the app: per login and address, per login, per address.

The test settings admit 3 attempts per login and address (and a per-address limit out of
reach, unless a test builds an app with its own); back-off starts at 30 s and doubles.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sqlalchemy import text

from persistence.database import Database
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.fixtures import audit_events, only
from tests.graph.user.conftest import calling_from

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on Error { message }
    ... on LoginThrottled { retryAfter }
  }
}
"""

UNLOCK = """
mutation Unlock($input: UserUnlockInput!) {
  userUnlock(input: $input) {
    __typename
    ... on UserUnlockSuccess { user { username } clearedCounters }
  }
}
"""


def attempt(world: World, login: str, password: str) -> dict[str, Any]:
    return {
        "input": {"login": login, "password": password, "organization": world.organization.slug}
    }


async def log_in(gql: GraphQLClient, world: World, login: str, password: str) -> dict[str, Any]:
    return only(await gql(LOGIN, attempt(world, login, password)), "login")


async def test_unknown_and_real_accounts_answer_alike_after_the_threshold(
    app: Any, world: World
) -> None:
    answers = {}
    for login, address in (("editor", "10.1.0.1"), ("nobody", "10.1.0.2")):
        async with calling_from(app, address) as gql:
            answers[login] = [await log_in(gql, world, login, "a wrong guess") for _ in range(5)]

    assert [_unclocked(a) for a in answers["editor"]] == [_unclocked(a) for a in answers["nobody"]]
    waits = [a.get("retryAfter", 0) for a in answers["editor"] + answers["nobody"]]
    assert max(waits) - min(w for w in waits if w) <= 2, waits
    assert [a["__typename"] for a in answers["editor"]] == [
        *["InvalidCredentials"] * 3,
        *["LoginThrottled"] * 2,
    ]


def _unclocked(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without the seconds left: they count down while the attempts run (a second
    or two apart on a loaded machine, or behind PgBouncer), whichever account it is."""
    if "retryAfter" not in answer:
        return answer
    return {
        **answer,
        "message": re.sub(r"\d+ seconds", "N seconds", answer["message"]),
        "retryAfter": "N",
    }


async def test_an_unknown_organization_is_throttled_like_a_real_one(app: Any, world: World) -> None:
    async with calling_from(app, "10.1.1.1") as gql:
        variables = {"input": {"login": "editor", "password": "x" * 9, "organization": "nope"}}
        answers = [only(await gql(LOGIN, variables), "login") for _ in range(4)]

    assert [a["__typename"] for a in answers] == [*["InvalidCredentials"] * 3, "LoginThrottled"]


async def test_the_right_password_never_slips_past_a_burst(
    app: Any, world: World, database: Database
) -> None:
    """Invariant: once the key has admitted its 3 attempts, nothing more is checked, however
    many arrive at once; only a success resets it. Each round brings the key to 2 failures,
    then fires 12 wrong guesses and the right password together. Either a wrong guess
    reserved first: it alone is checked, the other 12 (the right password among them) are
    throttled, and the key holds exactly 3 failures. Or the right password reserved first:
    it succeeds, and every wrong guess checked came after its reset (the key counts exactly
    those), never before it."""
    outcomes = set()
    for round in range(20):
        address = f"10.2.0.{round}"
        async with calling_from(app, address) as gql:
            for _ in range(2):
                first = await log_in(gql, world, "editor", "wrong")
                assert first["__typename"] == "InvalidCredentials"
            passwords = ["wrong"] * 12
            passwords.insert(round % 13, PASSWORD)

            answers = await asyncio.gather(
                *(log_in(gql, world, "editor", password) for password in passwords)
            )

        by_password = [(p, a["__typename"]) for p, a in zip(passwords, answers, strict=True)]
        wrong_checked = by_password.count(("wrong", "InvalidCredentials"))
        failures = await failures_at(database, world, address)
        if (PASSWORD, "LoginSuccess") in by_password:
            outcomes.add("right password first")
            assert failures == wrong_checked <= 3, by_password
        else:
            outcomes.add("a wrong guess first")
            assert (PASSWORD, "LoginThrottled") in by_password
            assert (wrong_checked, failures) == (1, 3), by_password
        await unlock_everyone(database, world)
    assert "a wrong guess first" in outcomes


async def test_an_admin_unlocks_a_throttled_user(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    for login in ("editor", "EDITOR@example.com", "editor", "editor"):
        await log_in(gql, world, login, "a wrong guess")
    assert (await log_in(gql, world, "editor", PASSWORD))["__typename"] == "LoginThrottled"

    result = await gql(UNLOCK, {"input": {"id": world.editor.global_id}}, token=world.admin.token)

    assert only(result, "userUnlock") == {
        "__typename": "UserUnlockSuccess",
        "user": {"username": "editor"},
        "clearedCounters": 4,  # by username and by email, at this address and from anywhere
    }
    assert (await log_in(gql, world, "editor", PASSWORD))["__typename"] == "LoginSuccess"
    events = [e for e in await audit_events(database, world.editor.user.id)]
    assert [(e.action, e.actor_id) for e in events] == [
        ("userUnlock", world.admin.user.id),
        ("login", world.editor.user.id),
    ]


async def test_the_back_off_doubles_with_each_attempt_past_the_limit(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    for _ in range(2):
        await log_in(gql, world, "viewer", "a wrong guess")
    waits = []
    for _ in range(4):
        admitted = await log_in(gql, world, "viewer", "a wrong guess")
        throttled = await log_in(gql, world, "viewer", "a wrong guess")
        assert (admitted["__typename"], throttled["__typename"]) == (
            "InvalidCredentials",
            "LoginThrottled",
        )
        waits.append(throttled["retryAfter"])
        await expire_back_off(database, world)

    assert waits == [30, 60, 120, 240]


async def test_the_throttle_is_shared_by_every_server_instance(app_with: Any, world: World) -> None:
    """Counts live in PostgreSQL: two app instances see the same attempts."""
    first, second = app_with(), app_with()
    async with calling_from(first, "10.3.0.1") as one, calling_from(second, "10.3.0.1") as two:
        for client in (one, two, one):
            assert (await log_in(client, world, "admin", "wrong"))["__typename"] == (
                "InvalidCredentials"
            )
        answer = await log_in(two, world, "admin", PASSWORD)

    assert answer["__typename"] == "LoginThrottled"


async def test_guessing_from_elsewhere_does_not_lock_the_user_out_of_their_address(
    app: Any, world: World
) -> None:
    async with calling_from(app, "10.4.0.66") as attacker:
        answers = [await log_in(attacker, world, "admin", "guess") for _ in range(6)]
    async with calling_from(app, "10.4.0.1") as owner:
        answer = await log_in(owner, world, "admin", PASSWORD)

    assert answers[-1]["__typename"] == "LoginThrottled"
    assert answer["__typename"] == "LoginSuccess"


async def test_guessing_from_many_addresses_is_bounded_per_login(
    app_with: Any, world: World
) -> None:
    """The login's own counter (from anywhere, here 6 attempts) stops guessing spread over
    addresses; an address where the user logged in before is not held back by it."""
    app = app_with(login_account_max_failures=6)
    async with calling_from(app, "10.5.0.1") as home:
        assert (await log_in(home, world, "editor", PASSWORD))["__typename"] == "LoginSuccess"
    for n in range(3):
        async with calling_from(app, f"10.5.1.{n}") as attacker:
            for _ in range(2):
                await log_in(attacker, world, "editor", "guess")

    async with calling_from(app, "10.5.2.1") as elsewhere:
        new_address = await log_in(elsewhere, world, "editor", PASSWORD)
    async with calling_from(app, "10.5.0.1") as home:
        known_address = await log_in(home, world, "editor", PASSWORD)

    assert new_address["__typename"] == "LoginThrottled"
    assert known_address["__typename"] == "LoginSuccess"


async def test_one_address_trying_many_logins_is_throttled(app_with: Any, world: World) -> None:
    app = app_with(login_address_max_failures=4)
    async with calling_from(app, "10.6.0.1") as sprayer:
        answers = [
            await log_in(sprayer, world, login, "Summer2026!")
            for login in ("admin", "editor", "viewer", "ann", "bob")
        ]
    async with calling_from(app, "10.6.0.2") as other:
        elsewhere = await log_in(other, world, "admin", PASSWORD)

    assert [a["__typename"] for a in answers] == [*["InvalidCredentials"] * 4, "LoginThrottled"]
    assert elsewhere["__typename"] == "LoginSuccess"


async def expire_back_off(database: Database, world: World) -> None:
    """Let the clock run past every current back-off of the organization's keys."""
    async with database.transaction() as session:
        await session.execute(
            text(
                "UPDATE login_throttles SET blocked_until = now() - interval '1 second'"
                " WHERE organization_id = :org AND blocked_until IS NOT NULL"
            ),
            {"org": world.organization.id},
        )


async def failures_at(database: Database, world: World, address: str) -> int:
    """The failures counted for `editor` at one address."""
    async with database.transaction() as session:
        return await session.scalar(
            text(
                "SELECT failures FROM login_throttles WHERE organization_id = :org"
                " AND login = 'editor' AND client_address = :address"
            ),
            {"org": world.organization.id, "address": address},
        )


async def unlock_everyone(database: Database, world: World) -> None:
    async with database.transaction() as session:
        await session.execute(
            text("DELETE FROM login_throttles WHERE organization_id = :org"),
            {"org": world.organization.id},
        )
