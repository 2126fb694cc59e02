"""Text PostgreSQL cannot store (NUL, unpaired surrogates) and values the database refuses
come back as typed errors that change nothing: never an internal error or driver text."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest

from tests.graph.conftest import GraphQLClient, World

CREATE = """
mutation Create($input: DocumentCreateInput!) {
  documentCreate(input: $input) {
    __typename
    ... on ValidationError { message field }
  }
}
"""

CREATE_LITERAL = """
mutation { documentCreate(input: {title: "a\\u0000b"}) {
  __typename ... on ValidationError { message field } } }
"""

USER_CREATE = """
mutation Create($input: UserCreateInput!) {
  userCreate(input: $input) { __typename ... on ValidationError { message field } }
}
"""

LOGIN = """
mutation Login($login: String!) {
  login(input: {login: $login, password: "correct horse battery"}) {
    __typename ... on ValidationError { message field }
  }
}
"""

SEARCH = "query Search($q: String!) { searchDocuments(query: $q) { totalCount } }"

BY_TITLE = """
query ByTitle($after: String!) {
  documents(orderBy: {field: TITLE}, after: $after) { edges { cursor } }
}
"""

COUNTS = "{ documents { totalCount } tags { totalCount } users { totalCount } }"

NUL = "a\u0000b"
SURROGATE = "a\ud800b"


async def post(http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> Any:
    """JSON with escapes (`\\u0000`, `\\ud800`) as a client sends it: httpx cannot encode a
    lone surrogate itself."""
    response = await http.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def counts(gql: GraphQLClient, world: World) -> dict[str, Any]:
    return (await gql(COUNTS, token=world.admin.token))["data"]


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"title": "{bad}"}, "title"),
        ({"title": "T", "content": "{bad}"}, "content"),
        ({"title": "T", "contentType": "{bad}"}, "contentType"),
        ({"title": "T", "tagNames": ["ok", "{bad}"]}, "tagNames"),
        ({"title": "T", "metadata": {"key": "{bad}"}}, "metadata"),
        ({"title": "T", "metadata": {"{bad}": 1}}, "metadata"),
        ({"title": "T", "metadata": {"deep": [{"x": ["{bad}"]}]}}, "metadata"),
    ],
)
async def test_unstorable_text_in_a_mutation_is_a_validation_error_naming_the_field(
    client: httpx.AsyncClient, gql: GraphQLClient, world: World, bad: str, input: dict, field: str
) -> None:
    before = await counts(gql, world)
    variables = {"input": json.loads(json.dumps(input).replace("{bad}", json.dumps(bad)[1:-1]))}

    result = await post(client, CREATE, variables, world.editor.token)

    assert "errors" not in result, result
    payload = result["data"]["documentCreate"]
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == field
    assert payload["message"] == f"{field} contains a NUL character or an unpaired surrogate"
    assert await counts(gql, world) == before


async def test_a_nul_in_a_literal_argument_is_a_validation_error(
    gql: GraphQLClient, world: World
) -> None:
    before = await counts(gql, world)

    result = await gql(CREATE_LITERAL, token=world.editor.token)

    payload = result["data"]["documentCreate"]
    assert payload == {
        "__typename": "ValidationError",
        "message": "title contains a NUL character or an unpaired surrogate",
        "field": "title",
    }
    assert await counts(gql, world) == before


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
async def test_unstorable_text_in_a_username_is_a_validation_error(
    client: httpx.AsyncClient, gql: GraphQLClient, world: World, bad: str
) -> None:
    before = await counts(gql, world)
    variables = {"input": {"username": bad, "email": "n@example.com", "password": "x" * 12}}

    result = await post(client, USER_CREATE, variables, world.admin.token)

    assert result["data"]["userCreate"]["__typename"] == "ValidationError"
    assert result["data"]["userCreate"]["field"] == "username"
    assert await counts(gql, world) == before


async def test_unstorable_text_in_a_login_is_a_validation_error(
    client: httpx.AsyncClient, world: World
) -> None:
    result = await post(client, LOGIN, {"login": "admin\u0000"}, "none")

    assert result["data"]["login"] == {
        "__typename": "ValidationError",
        "message": "login contains a NUL character or an unpaired surrogate",
        "field": "login",
    }


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
async def test_unstorable_search_text_is_bad_user_input(
    client: httpx.AsyncClient, world: World, bad: str
) -> None:
    result = await post(client, SEARCH, {"q": bad}, world.viewer.token)

    assert "data" not in result
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "query"}
    assert error["message"] == "query contains a NUL character or an unpaired surrogate"


async def test_a_value_the_database_refuses_is_a_validation_error_without_driver_text(
    client: httpx.AsyncClient, gql: GraphQLClient, world: World
) -> None:
    """1e400 is infinity to Python's JSON parser, which PostgreSQL's jsonb refuses (22P02)."""
    before = await counts(gql, world)
    body = '{"query": %s, "variables": {"input": {"title": "T", "metadata": {"n": 1e400}}}}'
    response = await client.post(
        "/graphql",
        content=body % json.dumps(CREATE),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {world.editor.token}",
        },
    )

    payload = response.json()["data"]["documentCreate"]
    assert payload == {
        "__typename": "ValidationError",
        "message": "a value is not valid for its type",
        "field": "input",
    }
    assert await counts(gql, world) == before


async def test_a_data_error_in_a_query_is_bad_user_input_without_driver_text(
    gql: GraphQLClient, world: World
) -> None:
    """A cursor is opaque to the input check: one carrying a NUL reaches PostgreSQL, which
    refuses the text (SQLSTATE 22021)."""
    key = json.dumps(["a\u0000", str(uuid.uuid4())]).encode()
    cursor = base64.urlsafe_b64encode(key).decode().rstrip("=")

    result = await gql(BY_TITLE, {"after": cursor}, token=world.viewer.token)

    (error,) = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input"}
    assert error["message"] == "a text contains a character that cannot be stored"
