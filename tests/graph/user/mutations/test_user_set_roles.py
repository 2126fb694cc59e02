from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only

SET_ROLES = """
mutation SetRoles($input: UserSetRolesInput!) {
  userSetRoles(input: $input) {
    __typename
    ... on UserSetRolesSuccess { user { username roles } }
    ... on ValidationError { message field }
    ... on NotFound { message }
  }
}
"""

DOCUMENT_CREATE = """
mutation { documentCreate(input: {title: "Now allowed"}) { __typename } }
"""

VIEWER = "{ viewer { roles } }"


def set_roles(id: str, *roles: str) -> dict[str, object]:
    return {"input": {"id": id, "roles": list(roles)}}


async def test_an_admin_promotes_a_viewer_who_can_then_write(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    result = await gql(
        SET_ROLES, set_roles(world.viewer.global_id, "EDITOR", "VIEWER"), token=world.admin.token
    )

    assert only(result, "userSetRoles") == {
        "__typename": "UserSetRolesSuccess",
        "user": {"username": "viewer", "roles": ["EDITOR", "VIEWER"]},
    }
    created = await gql(DOCUMENT_CREATE, token=world.viewer.token)
    assert only(created, "documentCreate") == {"__typename": "DocumentCreateSuccess"}
    (event,) = await audit_events(database, world.viewer.user.id)
    assert event.action == "userSetRoles" and event.actor_id == world.admin.user.id
    assert event.changes == {"roles": {"old": ["VIEWER"], "new": ["EDITOR", "VIEWER"]}}


async def test_an_admin_cannot_remove_their_own_admin_role(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(
        SET_ROLES, set_roles(world.admin.global_id, "EDITOR"), token=world.admin.token
    )

    payload = only(result, "userSetRoles")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "roles")
    assert await gql(VIEWER, token=world.admin.token) == {"data": {"viewer": {"roles": ["ADMIN"]}}}


async def test_an_admin_may_add_roles_to_themself(gql: GraphQLClient, world: World) -> None:
    variables = set_roles(world.admin.global_id, "ADMIN", "EDITOR")

    result = await gql(SET_ROLES, variables, token=world.admin.token)

    assert only(result, "userSetRoles")["user"]["roles"] == ["ADMIN", "EDITOR"]


async def test_no_roles_at_all_is_a_validation_error(gql: GraphQLClient, world: World) -> None:
    result = await gql(SET_ROLES, set_roles(world.viewer.global_id), token=world.admin.token)

    payload = only(result, "userSetRoles")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "roles")


async def test_an_unknown_user_is_not_found(gql: GraphQLClient, world: World) -> None:
    unknown = gid("User", world.organization.id)  # a uuid that is no user's

    result = await gql(SET_ROLES, set_roles(unknown, "EDITOR"), token=world.admin.token)

    assert only(result, "userSetRoles")["__typename"] == "NotFound"


async def test_an_editor_may_not_set_roles(gql: GraphQLClient, world: World) -> None:
    variables = set_roles(world.editor.global_id, "ADMIN")

    result = await gql(SET_ROLES, variables, token=world.editor.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await gql(VIEWER, token=world.editor.token) == {
        "data": {"viewer": {"roles": ["EDITOR"]}}
    }


async def test_anonymous_callers_are_unauthenticated(gql: GraphQLClient, world: World) -> None:
    result = await gql(SET_ROLES, set_roles(world.viewer.global_id, "ADMIN"))

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
