from __future__ import annotations

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
