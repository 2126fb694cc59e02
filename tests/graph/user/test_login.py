from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select

from persistence.database import Database
from persistence.user.models import ApiKey, LoginThrottle
from tests.graph.conftest import PASSWORD, GraphQLClient, World

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { token user { username email roles } }
    ... on Error { message }
  }
}
"""

VIEWER = "{ viewer { username roles organization { slug } } }"


async def test_login_returns_a_token_that_authenticates(gql: GraphQLClient, world: World) -> None:
    result = await gql(
        LOGIN,
        {
            "input": {
                "login": "editor",
                "password": PASSWORD,
                "organization": world.organization.slug,
            }
        },
    )

    login = result["data"]["login"]
    assert login["__typename"] == "LoginSuccess"
    assert login["user"] == {
        "username": "editor",
        "email": "editor@example.com",
        "roles": ["EDITOR"],
    }
    me = await gql(VIEWER, token=login["token"])
    assert me == {
        "data": {
            "viewer": {
                "username": "editor",
                "roles": ["EDITOR"],
                "organization": {"slug": world.organization.slug},
            }
        }
    }


async def test_anonymous_viewer_is_null(gql: GraphQLClient) -> None:
    assert await gql(VIEWER) == {"data": {"viewer": None}}


async def test_anonymous_lists_are_unauthenticated(gql: GraphQLClient) -> None:
    result = await gql("{ documents(first: 1) { edges { node { title } } } }")

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


LOGIN_AND_CREATE_KEY = """
mutation Steal($login: String!, $password: String!, $organization: String!) {
  login(input: {login: $login, password: $password, organization: $organization}) {
    __typename
  }
  apiKeyCreate(input: {name: "mine now", scopes: [READ, WRITE]}) {
    ... on ApiKeyCreateSuccess { secret }
  }
}
"""

ME = """
mutation Me($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { token user { username email roles organization { slug } } }
  }
}
"""

VIEWER_NAME = "{ viewer { username } }"


def credentials(world: World, password: str, login: str = "editor") -> dict[str, object]:
    return {"login": login, "password": password, "organization": world.organization.slug}


async def test_login_cannot_share_an_operation_with_another_field(
    gql: GraphQLClient, world: World, stranger: World, database: Database
) -> None:
    """The reproduction of issue 7, finding 1: a member of another organization guesses a
    password and creates an API key in the same operation."""
    variables = credentials(world, "a wrong guess")

    result = await gql(LOGIN_AND_CREATE_KEY, variables, token=stranger.editor.token)

    assert "data" not in result
    assert [e["message"] for e in result["errors"]] == [
        "`login` must be the only field of its operation: send it in an operation of its own."
    ]
    assert await throttle_rows(database, world) == []  # it never ran
    assert await api_keys(database, stranger) == []


@pytest.mark.parametrize(
    "operation",
    [
        'mutation { a: login(input: {login: "a", password: "b"}) { __typename }'
        ' b: login(input: {login: "a", password: "c"}) { __typename } }',
        'mutation { login(input: {login: "a", password: "b"}) { __typename } ...F }'
        " fragment F on Mutation { logout { __typename } }",
        'mutation { passwordChange(input: {currentPassword: "a", newPassword: "bbbbbbbbb"})'
        ' { __typename } apiKeyRevoke(input: {id: "QXBpS2V5OjA="}) { __typename } }',
    ],
    ids=["two logins", "login and logout through a fragment", "passwordChange and another"],
)
async def test_lone_fields_are_refused_in_company(gql: GraphQLClient, operation: str) -> None:
    result = await gql(operation)

    assert "data" not in result
    assert len(result["errors"]) == 1
    assert "must be the only field of its operation" in result["errors"][0]["message"]


async def test_a_failed_login_is_counted_and_stays_counted(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    for _ in range(3):  # the test settings admit 3 attempts per login and address
        result = await gql(LOGIN, {"input": credentials(world, "a wrong guess")})
        assert result["data"]["login"]["__typename"] == "InvalidCredentials"

    result = await gql(LOGIN, {"input": credentials(world, PASSWORD)})

    assert result["data"]["login"]["__typename"] == "LoginThrottled"
    assert {(row.client_address, row.failures) for row in await throttle_rows(database, world)} == {
        ("127.0.0.1", 3),
        ("", 3),
    }


async def test_login_runs_as_the_user_who_logs_in_whatever_token_it_carries(
    gql: GraphQLClient, world: World, stranger: World
) -> None:
    result = await gql(ME, {"input": credentials(world, PASSWORD)}, token=stranger.editor.token)

    login = result["data"]["login"]
    assert login["user"] == {
        "username": "editor",
        "email": "editor@example.com",
        "roles": ["EDITOR"],
        "organization": {"slug": world.organization.slug},
    }
    assert await gql(VIEWER_NAME, token=login["token"]) == {
        "data": {"viewer": {"username": "editor"}}
    }


async def throttle_rows(database: Database, world: World) -> list[LoginThrottle]:
    async with database.transaction() as session:
        stmt = select(LoginThrottle).where(LoginThrottle.organization_id == world.organization.id)
        return list((await session.scalars(stmt)).all())


async def api_keys(database: Database, world: World) -> list[ApiKey]:
    async with database.transaction() as session:
        stmt = select(ApiKey).where(ApiKey.organization_id == world.organization.id)
        return list((await session.scalars(stmt)).all())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("login", "edi\u0000tor"),
        ("login", "\ud800"),
        ("login", "x" * 321),
        ("password", "pass\u0000word"),
        ("organization", "de\u0000mo"),
    ],
    ids=["NUL in login", "lone surrogate", "login too long", "NUL in password", "NUL in slug"],
)
async def test_text_no_account_can_match_is_a_validation_error(
    client: httpx.AsyncClient, world: World, field: str, value: str
) -> None:
    variables = {"input": {**credentials(world, PASSWORD), field: value}}
    body = json.dumps({"query": LOGIN, "variables": variables})  # ASCII, surrogates escaped

    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )

    assert response.json()["data"]["login"]["__typename"] == "ValidationError"


async def test_a_very_long_unknown_organization_is_an_ordinary_failed_login(
    gql: GraphQLClient,
) -> None:
    variables = {"input": {"login": "editor", "password": PASSWORD, "organization": "o" * 5000}}

    result = await gql(LOGIN, variables)

    assert result["data"]["login"]["__typename"] == "InvalidCredentials"
