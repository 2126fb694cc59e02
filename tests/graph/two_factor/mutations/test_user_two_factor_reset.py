from __future__ import annotations

from sqlalchemy import select

from persistence.audit.models import AuditEvent
from persistence.database import Database
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.two_factor.conftest import LOGIN, FrozenClock, enrol

RESET = """
mutation Reset($input: UserTwoFactorResetInput!) {
  userTwoFactorReset(input: $input) {
    __typename
    ... on UserTwoFactorResetSuccess { removed user { username } }
    ... on Error { message }
  }
}
"""


def login_as(world: World, username: str) -> dict[str, object]:
    return {
        "input": {"login": username, "password": PASSWORD, "organization": world.organization.slug}
    }


async def test_an_admin_reset_lets_the_user_log_in_with_the_password_and_is_audited(
    gql: GraphQLClient, world: World, clock: FrozenClock, database: Database
) -> None:
    await enrol(gql, world.editor.token, clock)

    result = await gql(RESET, {"input": {"id": world.editor.global_id}}, token=world.admin.token)

    assert result["data"]["userTwoFactorReset"] == {
        "__typename": "UserTwoFactorResetSuccess",
        "removed": True,
        "user": {"username": "editor"},
    }
    login = await gql(LOGIN, login_as(world, "editor"))
    assert login["data"]["login"]["__typename"] == "LoginSuccess"
    async with database.transaction(world.organization.id) as session:
        event = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.organization_id == world.organization.id,
                    AuditEvent.action == "userTwoFactorReset",
                )
            )
        ).one()
    assert (event.actor_id, event.entity_id) == (world.admin.user.id, world.editor.user.id)
    assert event.changes == {"two_factor": {"old": True, "new": False}}


async def test_resetting_a_user_without_a_second_factor_says_so(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(RESET, {"input": {"id": world.viewer.global_id}}, token=world.admin.token)

    assert result["data"]["userTwoFactorReset"]["removed"] is False


async def test_only_admins_reset_a_second_factor(
    gql: GraphQLClient, world: World, clock: FrozenClock
) -> None:
    await enrol(gql, world.viewer.token, clock)

    result = await gql(RESET, {"input": {"id": world.viewer.global_id}}, token=world.editor.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    login = await gql(LOGIN, login_as(world, "viewer"))
    assert login["data"]["login"]["__typename"] == "TwoFactorRequired"
