from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only, row_id

CREATE = """
mutation Create($input: ApiKeyCreateInput!) {
  apiKeyCreate(input: $input) {
    ... on ApiKeyCreateSuccess { secret apiKey { id } }
  }
}
"""

REVOKE = """
mutation Revoke($input: ApiKeyRevokeInput!) {
  apiKeyRevoke(input: $input) {
    __typename
    ... on ApiKeyRevokeSuccess { apiKey { id name revokedAt owner { username } } }
    ... on NotFound { message }
    ... on ValidationError { message field }
  }
}
"""

VIEWER = "{ viewer { username } }"

DOCUMENTS = "{ documents(first: 1) { totalCount } }"


async def create_key(gql: GraphQLClient, token: str, name: str = "ci") -> tuple[str, str]:
    """A write-scoped key of the token's user: (global id, secret)."""
    variables = {"input": {"name": name, "scopes": ["READ", "WRITE"]}}
    created = only(await gql(CREATE, variables, token=token), "apiKeyCreate")
    return created["apiKey"]["id"], created["secret"]


async def test_a_user_revokes_their_own_key_and_it_no_longer_authenticates(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    key_id, secret = await create_key(gql, world.editor.token)

    result = await gql(REVOKE, {"input": {"id": key_id}}, token=world.editor.token)

    payload = only(result, "apiKeyRevoke")
    assert payload["__typename"] == "ApiKeyRevokeSuccess"
    assert payload["apiKey"]["revokedAt"] is not None
    assert await gql(VIEWER, token=secret) == {"data": {"viewer": None}}
    listed = await gql(DOCUMENTS, token=secret)
    assert "data" not in listed
    assert [e["extensions"]["code"] for e in listed["errors"]] == ["UNAUTHENTICATED"]
    create_event, revoke_event = await audit_events(database, row_id(key_id))
    assert create_event.action == "apiKeyCreate"
    assert revoke_event.action == "apiKeyRevoke" and revoke_event.actor_id == world.editor.user.id
    assert revoke_event.changes["revoked_at"]["old"] is None


async def test_a_user_cannot_revoke_someone_elses_key(gql: GraphQLClient, world: World) -> None:
    key_id, secret = await create_key(gql, world.editor.token)

    result = await gql(REVOKE, {"input": {"id": key_id}}, token=world.viewer.token)

    assert only(result, "apiKeyRevoke")["__typename"] == "NotFound"
    assert await gql(VIEWER, token=secret) == {"data": {"viewer": {"username": "editor"}}}


async def test_an_admin_revokes_any_users_key(gql: GraphQLClient, world: World) -> None:
    key_id, secret = await create_key(gql, world.viewer.token)

    result = await gql(REVOKE, {"input": {"id": key_id}}, token=world.admin.token)

    payload = only(result, "apiKeyRevoke")
    assert payload["__typename"] == "ApiKeyRevokeSuccess"
    assert payload["apiKey"]["owner"] == {"username": "viewer"}
    assert await gql(VIEWER, token=secret) == {"data": {"viewer": None}}


async def test_revoking_a_key_twice_is_not_found(gql: GraphQLClient, world: World) -> None:
    key_id, _ = await create_key(gql, world.editor.token)
    await gql(REVOKE, {"input": {"id": key_id}}, token=world.editor.token)

    result = await gql(REVOKE, {"input": {"id": key_id}}, token=world.editor.token)

    assert only(result, "apiKeyRevoke")["__typename"] == "NotFound"


async def test_the_id_of_another_type_is_a_validation_error(
    gql: GraphQLClient, world: World
) -> None:
    user_id = gid("User", world.editor.user.id)

    result = await gql(REVOKE, {"input": {"id": user_id}}, token=world.editor.token)

    payload = only(result, "apiKeyRevoke")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "id")


async def test_a_key_can_revoke_itself(gql: GraphQLClient, world: World) -> None:
    key_id, secret = await create_key(gql, world.editor.token)

    result = await gql(REVOKE, {"input": {"id": key_id}}, token=secret)

    assert only(result, "apiKeyRevoke")["__typename"] == "ApiKeyRevokeSuccess"
    assert await gql(VIEWER, token=secret) == {"data": {"viewer": None}}


async def test_anonymous_callers_are_unauthenticated(gql: GraphQLClient, world: World) -> None:
    key_id, _ = await create_key(gql, world.editor.token)

    result = await gql(REVOKE, {"input": {"id": key_id}})

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
