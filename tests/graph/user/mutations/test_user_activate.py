from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.fixtures import audit_events, only

DEACTIVATE = """
mutation Deactivate($input: UserDeactivateInput!) {
  userDeactivate(input: $input) { __typename }
}
"""

ACTIVATE = """
mutation Activate($input: UserActivateInput!) {
  userActivate(input: $input) {
    __typename
    ... on UserActivateSuccess { user { username isActive version } }
    ... on VersionConflict { message currentVersion }
  }
}
"""

LOGIN = """
mutation Login($input: LoginInput!) { login(input: $input) { __typename } }
"""


def versioned(id: str, expected_version: int) -> dict[str, object]:
    return {"input": {"id": id, "expectedVersion": expected_version}}


async def test_an_activated_user_can_log_in_again(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    await gql(DEACTIVATE, versioned(world.viewer.global_id, 1), token=world.admin.token)

    result = await gql(ACTIVATE, versioned(world.viewer.global_id, 2), token=world.admin.token)

    assert only(result, "userActivate") == {
        "__typename": "UserActivateSuccess",
        "user": {"username": "viewer", "isActive": True, "version": 3},
    }
    credentials = {"login": "viewer", "password": PASSWORD, "organization": world.organization.slug}
    assert only(await gql(LOGIN, {"input": credentials}), "login") == {"__typename": "LoginSuccess"}
    _, event, _ = await audit_events(database, world.viewer.user.id)
    assert event.action == "userActivate" and event.actor_id == world.admin.user.id
    assert event.changes == {"is_active": {"old": False, "new": True}}


async def test_a_stale_expected_version_is_a_version_conflict(
    gql: GraphQLClient, world: World
) -> None:
    await gql(DEACTIVATE, versioned(world.viewer.global_id, 1), token=world.admin.token)

    result = await gql(ACTIVATE, versioned(world.viewer.global_id, 1), token=world.admin.token)

    payload = only(result, "userActivate")
    assert (payload["__typename"], payload["currentVersion"]) == ("VersionConflict", 2)


async def test_an_editor_may_not_activate_users(gql: GraphQLClient, world: World) -> None:
    result = await gql(ACTIVATE, versioned(world.viewer.global_id, 1), token=world.editor.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_are_unauthenticated(gql: GraphQLClient, world: World) -> None:
    result = await gql(ACTIVATE, versioned(world.viewer.global_id, 1))

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
