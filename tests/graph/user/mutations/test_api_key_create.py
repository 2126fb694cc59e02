from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only, row_id

CREATE = """
mutation Create($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    __typename
    ... on ApiKeyCreateSuccess {
      secret
      apiKey { id name prefix scopes expiresAt revokedAt owner { username } }
    }
    ... on ValidationError { message field }
  }
}
"""

VIEWER = "{ viewer { username roles } }"

API_KEYS = "{ apiKeys { edges { node { name prefix } } } }"

DOCUMENT_CREATE = """
mutation { documentCreate(input: {title: "By a machine"}) {
  __typename ... on DocumentCreateSuccess { document { title owner { username } } }
} }
"""

MUTATIONS_A_READ_KEY_MAY_NOT_RUN = {
    "documentCreate": DOCUMENT_CREATE,
    "apiKeyCreate": 'mutation { apiKeyCreate(input: {name: "x", scopes: [READ]}) { __typename } }',
    "apiKeyRevoke": 'mutation { apiKeyRevoke(input: {id: "QXBpS2V5OjE="}) { __typename } }',
    "passwordChange": """mutation { passwordChange(input:
        {currentPassword: "correct horse battery", newPassword: "a new passphrase"})
        { __typename } }""",
    "userCreate": """mutation { userCreate(input:
        {username: "bot", email: "bot@example.com", password: "long enough"})
        { __typename } }""",
}


def key_input(**overrides: object) -> dict[str, object]:
    return {"input": {"name": "ci", "scopes": ["READ", "WRITE"], **overrides}}


async def test_a_user_creates_an_api_key_whose_secret_is_shown_once_and_audited(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    result = await gql(CREATE, key_input(), token=world.viewer.token)

    payload = only(result, "apiKeyCreate")
    key = payload["apiKey"]
    assert payload["__typename"] == "ApiKeyCreateSuccess"
    assert payload["secret"].startswith("khk_")
    assert key["name"] == "ci" and key["scopes"] == ["READ", "WRITE"]
    assert key["owner"] == {"username": "viewer"} and key["revokedAt"] is None
    assert key["prefix"] == f"{payload['secret'][:4]}…{payload['secret'][-4:]}"
    listed = only(await gql(API_KEYS, token=world.viewer.token), "apiKeys")
    assert listed == {"edges": [{"node": {"name": "ci", "prefix": key["prefix"]}}]}
    (event,) = await audit_events(database, row_id(key["id"]))
    assert event.action == "apiKeyCreate" and event.actor_id == world.viewer.user.id
    assert event.changes["name"] == {"old": None, "new": "ci"}
    assert payload["secret"] not in str(event.changes)


async def test_an_api_key_authenticates_as_its_owner(gql: GraphQLClient, world: World) -> None:
    created = only(await gql(CREATE, key_input(), token=world.editor.token), "apiKeyCreate")

    me = await gql(VIEWER, token=created["secret"])

    assert me == {"data": {"viewer": {"username": "editor", "roles": ["EDITOR"]}}}


async def test_a_write_scoped_key_runs_mutations_within_its_owners_roles(
    gql: GraphQLClient, world: World
) -> None:
    created = only(await gql(CREATE, key_input(), token=world.editor.token), "apiKeyCreate")

    result = await gql(DOCUMENT_CREATE, token=created["secret"])

    assert only(result, "documentCreate") == {
        "__typename": "DocumentCreateSuccess",
        "document": {"title": "By a machine", "owner": {"username": "editor"}},
    }


@pytest.mark.parametrize("mutation", sorted(MUTATIONS_A_READ_KEY_MAY_NOT_RUN))
async def test_a_read_scoped_key_may_query_but_not_run_any_mutation(
    gql: GraphQLClient, world: World, mutation: str
) -> None:
    given = await gql(CREATE, key_input(scopes=["READ"]), token=world.admin.token)
    secret = only(given, "apiKeyCreate")["secret"]

    refused = await gql(MUTATIONS_A_READ_KEY_MAY_NOT_RUN[mutation], token=secret)
    read = await gql(VIEWER, token=secret)

    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert read == {"data": {"viewer": {"username": "admin", "roles": ["ADMIN"]}}}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scopes": []}, "scopes"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"expiresAt": (datetime.now(UTC) - timedelta(days=1)).isoformat()}, "expiresAt"),
        ({"expiresAt": "2999-01-01T00:00:00"}, "expiresAt"),
    ],
)
async def test_invalid_input_is_a_validation_error_and_creates_no_key(
    gql: GraphQLClient, world: World, overrides: dict[str, object], field: str
) -> None:
    result = await gql(CREATE, key_input(**overrides), token=world.editor.token)

    payload = only(result, "apiKeyCreate")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == field
    assert only(await gql(API_KEYS, token=world.editor.token), "apiKeys") == {"edges": []}


async def test_a_key_may_expire_in_the_future(gql: GraphQLClient, world: World) -> None:
    expires_at = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)

    result = await gql(
        CREATE, key_input(expiresAt=expires_at.isoformat()), token=world.editor.token
    )

    key = only(result, "apiKeyCreate")["apiKey"]
    assert datetime.fromisoformat(key["expiresAt"]) == expires_at


async def test_anonymous_callers_are_unauthenticated(gql: GraphQLClient) -> None:
    result = await gql(CREATE, key_input())

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
