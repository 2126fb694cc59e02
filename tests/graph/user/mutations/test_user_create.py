from __future__ import annotations

import pytest

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only, row_id

CREATE = """
mutation Create($input: UserCreateInput!) {
  userCreate(input: $input) {
    __typename
    ... on UserCreateSuccess { user { id username email fullName roles isActive version } }
    ... on ValidationError { message field }
    ... on AlreadyExists { message field }
  }
}
"""

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginSuccess { user { username roles } } }
}
"""

USERS = "{ users { totalCount } }"


def new_user(**overrides: object) -> dict[str, dict[str, object]]:
    fields = {
        "username": "dana",
        "email": "dana@example.com",
        "password": "a long passphrase",
        "fullName": "Dana Scully",
        "roles": ["EDITOR"],
    }
    return {"input": {**fields, **overrides}}


async def test_an_admin_creates_a_user_who_can_log_in(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    result = await gql(CREATE, new_user(), token=world.admin.token)

    payload = only(result, "userCreate")
    user = payload["user"]
    assert payload["__typename"] == "UserCreateSuccess"
    assert {k: v for k, v in user.items() if k != "id"} == {
        "username": "dana",
        "email": "dana@example.com",
        "fullName": "Dana Scully",
        "roles": ["EDITOR"],
        "isActive": True,
        "version": 1,
    }
    credentials = {
        "login": "dana@example.com",
        "password": "a long passphrase",
        "organization": world.organization.slug,
    }
    logged_in = only(await gql(LOGIN, {"input": credentials}), "login")
    assert logged_in == {
        "__typename": "LoginSuccess",
        "user": {"username": "dana", "roles": ["EDITOR"]},
    }
    event, login_event = await audit_events(database, row_id(user["id"]))
    assert event.action == "userCreate" and event.actor_id == world.admin.user.id
    assert login_event.action == "login"
    assert event.changes["username"] == {"old": None, "new": "dana"}
    assert event.changes["roles"] == {"old": None, "new": ["EDITOR"]}
    assert "passphrase" not in str(event.changes) and "password" not in str(event.changes)


async def test_a_new_user_is_a_viewer_unless_roles_are_given(
    gql: GraphQLClient, world: World
) -> None:
    without_roles = {k: v for k, v in new_user()["input"].items() if k != "roles"}

    result = await gql(CREATE, {"input": without_roles}, token=world.admin.token)

    assert only(result, "userCreate")["user"]["roles"] == ["VIEWER"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "EDITOR"}, "username"),
        ({"email": "Editor@Example.com"}, "email"),
    ],
)
async def test_a_taken_username_or_email_already_exists_ignoring_case(
    gql: GraphQLClient, world: World, overrides: dict[str, object], field: str
) -> None:
    result = await gql(CREATE, new_user(**overrides), token=world.admin.token)

    payload = only(result, "userCreate")
    assert (payload["__typename"], payload["field"]) == ("AlreadyExists", field)
    assert only(await gql(USERS, token=world.admin.token), "users") == {"totalCount": 3}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short"}, "password"),
        ({"username": "no spaces allowed"}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"roles": []}, "roles"),
    ],
)
async def test_invalid_input_is_a_validation_error_and_creates_nobody(
    gql: GraphQLClient, world: World, overrides: dict[str, object], field: str
) -> None:
    result = await gql(CREATE, new_user(**overrides), token=world.admin.token)

    payload = only(result, "userCreate")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", field)
    assert only(await gql(USERS, token=world.admin.token), "users") == {"totalCount": 3}


async def test_an_editor_may_not_create_users(gql: GraphQLClient, world: World) -> None:
    result = await gql(CREATE, new_user(), token=world.editor.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_are_unauthenticated(gql: GraphQLClient) -> None:
    result = await gql(CREATE, new_user())

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
