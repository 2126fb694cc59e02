from __future__ import annotations

import pytest

from persistence.database import Database
from persistence.scope import Scope
from persistence.user.credentials import ApiKeyRepository
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.fixtures import audit_events, only

NEW_PASSWORD = "a brand new passphrase"

CHANGE = """
mutation Change($input: PasswordChangeInput!) {
  passwordChange(input: $input) {
    __typename
    ... on PasswordChangeSuccess { revokedSessions user { username version } }
    ... on ValidationError { message field }
  }
}
"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { token }
  }
}
"""

CREATE_KEY = """
mutation { apiKeyCreate(input: {name: "ci", scopes: [READ, WRITE]}) {
  ... on ApiKeyCreateSuccess { secret }
} }
"""

REVOKED = """
mutation Change($input: PasswordChangeInput!) {
  passwordChange(input: $input) {
    ... on PasswordChangeSuccess { revokedSessions revokedApiKeys }
  }
}
"""

VIEWER = "{ viewer { username } }"


def change(current: str = PASSWORD, new: str = NEW_PASSWORD) -> dict[str, object]:
    return {"input": {"currentPassword": current, "newPassword": new}}


async def login(gql: GraphQLClient, world: World, password: str) -> dict[str, object]:
    variables = {
        "input": {"login": "editor", "password": password, "organization": world.organization.slug}
    }
    return only(await gql(LOGIN, variables), "login")


async def test_after_a_password_change_only_the_new_password_logs_in(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    result = await gql(CHANGE, change(), token=world.editor.token)

    payload = only(result, "passwordChange")
    assert payload["__typename"] == "PasswordChangeSuccess"
    assert payload["user"] == {"username": "editor", "version": 2}
    assert (await login(gql, world, PASSWORD))["__typename"] == "InvalidCredentials"
    assert (await login(gql, world, NEW_PASSWORD))["__typename"] == "LoginSuccess"
    (event,) = [
        e for e in await audit_events(database, world.editor.user.id) if e.action != "login"
    ]
    assert event.action == "passwordChange" and event.actor_id == world.editor.user.id
    assert event.changes == {}


async def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(
    gql: GraphQLClient, world: World
) -> None:
    other = world.editor.token
    current = (await login(gql, world, PASSWORD))["token"]

    result = await gql(CHANGE, change(), token=current)

    assert only(result, "passwordChange")["revokedSessions"] == 1
    assert await gql(VIEWER, token=other) == {"data": {"viewer": None}}
    assert await gql(VIEWER, token=current) == {"data": {"viewer": {"username": "editor"}}}
    assert await gql(VIEWER, token=world.viewer.token) == {
        "data": {"viewer": {"username": "viewer"}}
    }


async def test_a_password_change_through_an_api_key_ends_every_session(
    gql: GraphQLClient, world: World
) -> None:
    secret = only(await gql(CREATE_KEY, token=world.editor.token), "apiKeyCreate")["secret"]

    result = await gql(CHANGE, change(), token=secret)

    assert only(result, "passwordChange")["revokedSessions"] == 1
    assert await gql(VIEWER, token=world.editor.token) == {"data": {"viewer": None}}
    assert await gql(VIEWER, token=secret) == {"data": {"viewer": {"username": "editor"}}}


async def test_a_password_change_revokes_the_api_keys_made_on_a_session(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    """A stolen password must not leave a key behind: keys made on a session, and keys made
    with those keys, end; a key made without a session (the command line) stays."""
    on_session = only(await gql(CREATE_KEY, token=world.editor.token), "apiKeyCreate")["secret"]
    through_key = only(await gql(CREATE_KEY, token=on_session), "apiKeyCreate")["secret"]
    async with database.transaction() as session:
        keys = ApiKeyRepository(session, Scope.system(world.organization.id))
        from_cli, _ = await keys.issue(world.editor.user.id, name="cli", scopes=["read"])
    other_user = only(await gql(CREATE_KEY, token=world.viewer.token), "apiKeyCreate")["secret"]

    result = await gql(REVOKED, change(), token=world.editor.token)

    assert only(result, "passwordChange") == {"revokedSessions": 0, "revokedApiKeys": 2}
    assert await gql(VIEWER, token=on_session) == {"data": {"viewer": None}}
    assert await gql(VIEWER, token=through_key) == {"data": {"viewer": None}}
    assert await gql(VIEWER, token=from_cli) == {"data": {"viewer": {"username": "editor"}}}
    assert await gql(VIEWER, token=other_user) == {"data": {"viewer": {"username": "viewer"}}}


async def test_a_wrong_current_password_is_a_validation_error_and_changes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(CHANGE, change(current="not my password"), token=world.editor.token)

    payload = only(result, "passwordChange")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "currentPassword")
    assert (await login(gql, world, PASSWORD))["__typename"] == "LoginSuccess"
    assert await gql(VIEWER, token=world.editor.token) == {
        "data": {"viewer": {"username": "editor"}}
    }


async def test_wrong_current_passwords_count_towards_the_login_throttle(
    gql: GraphQLClient, world: World
) -> None:
    for _ in range(3):  # the test settings admit 3 attempts per login and address
        await gql(CHANGE, change(current="guess"), token=world.editor.token)

    result = await gql(CHANGE, change(), token=world.editor.token)

    payload = only(result, "passwordChange")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "currentPassword")
    assert payload["message"].startswith("too many wrong passwords")
    assert (await login(gql, world, PASSWORD))["__typename"] == "LoginThrottled"


@pytest.mark.parametrize(
    "new",
    ["short", "é" * 37, PASSWORD],
    ids=["too short", "over 72 bytes", "unchanged"],
)
async def test_a_new_password_the_policy_refuses_is_a_validation_error(
    gql: GraphQLClient, world: World, new: str
) -> None:
    result = await gql(CHANGE, change(new=new), token=world.editor.token)

    payload = only(result, "passwordChange")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "newPassword")
    assert (await login(gql, world, PASSWORD))["__typename"] == "LoginSuccess"


async def test_a_read_scoped_api_key_may_not_change_the_password(
    gql: GraphQLClient, world: World
) -> None:
    read_key = CREATE_KEY.replace("[READ, WRITE]", "[READ]")
    secret = only(await gql(read_key, token=world.editor.token), "apiKeyCreate")["secret"]

    result = await gql(CHANGE, change(), token=secret)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_are_unauthenticated(gql: GraphQLClient) -> None:
    result = await gql(CHANGE, change())

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
