from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only

DEACTIVATE = """
mutation Deactivate($input: UserDeactivateInput!) {
  userDeactivate(input: $input) {
    __typename
    ... on UserDeactivateSuccess { revokedSessions user { username isActive version } }
    ... on ValidationError { message field }
    ... on NotFound { message }
    ... on VersionConflict { message currentVersion }
  }
}
"""

LOGIN = """
mutation Login($input: LoginInput!) { login(input: $input) { __typename } }
"""

CREATE_KEY = """
mutation { apiKeyCreate(input: {name: "ci", scopes: [READ]}) {
  ... on ApiKeyCreateSuccess { secret }
} }
"""

VIEWER = "{ viewer { username } }"


def deactivate(id: str, expected_version: int = 1) -> dict[str, object]:
    return {"input": {"id": id, "expectedVersion": expected_version}}


async def test_a_deactivated_user_is_logged_out_everywhere_and_cannot_log_in(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    secret = only(await gql(CREATE_KEY, token=world.viewer.token), "apiKeyCreate")["secret"]

    result = await gql(DEACTIVATE, deactivate(world.viewer.global_id), token=world.admin.token)

    assert only(result, "userDeactivate") == {
        "__typename": "UserDeactivateSuccess",
        "revokedSessions": 1,
        "user": {"username": "viewer", "isActive": False, "version": 2},
    }
    assert await gql(VIEWER, token=world.viewer.token) == {"data": {"viewer": None}}
    assert await gql(VIEWER, token=secret) == {"data": {"viewer": None}}
    credentials = {"login": "viewer", "password": PASSWORD, "organization": world.organization.slug}
    assert only(await gql(LOGIN, {"input": credentials}), "login") == {
        "__typename": "InvalidCredentials"
    }
    (event,) = await audit_events(database, world.viewer.user.id)
    assert event.action == "userDeactivate" and event.actor_id == world.admin.user.id
    assert event.changes == {"is_active": {"old": True, "new": False}}


async def test_a_stale_expected_version_is_a_version_conflict(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(DEACTIVATE, deactivate(world.viewer.global_id, 7), token=world.admin.token)

    payload = only(result, "userDeactivate")
    assert (payload["__typename"], payload["currentVersion"]) == ("VersionConflict", 1)
    assert await gql(VIEWER, token=world.viewer.token) == {
        "data": {"viewer": {"username": "viewer"}}
    }


async def test_an_admin_cannot_deactivate_themself(gql: GraphQLClient, world: World) -> None:
    result = await gql(DEACTIVATE, deactivate(world.admin.global_id), token=world.admin.token)

    payload = only(result, "userDeactivate")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "id")
    assert await gql(VIEWER, token=world.admin.token) == {"data": {"viewer": {"username": "admin"}}}


async def test_an_unknown_user_is_not_found(gql: GraphQLClient, world: World) -> None:
    unknown = gid("User", world.organization.id)  # a uuid that is no user's

    result = await gql(DEACTIVATE, deactivate(unknown), token=world.admin.token)

    assert only(result, "userDeactivate")["__typename"] == "NotFound"


async def test_an_editor_may_not_deactivate_users(gql: GraphQLClient, world: World) -> None:
    result = await gql(DEACTIVATE, deactivate(world.viewer.global_id), token=world.editor.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await gql(VIEWER, token=world.viewer.token) == {
        "data": {"viewer": {"username": "viewer"}}
    }


async def test_anonymous_callers_are_unauthenticated(gql: GraphQLClient, world: World) -> None:
    result = await gql(DEACTIVATE, deactivate(world.viewer.global_id))

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
