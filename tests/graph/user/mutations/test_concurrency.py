"""User changes fired truly at once: two HTTP requests through the app, each on its own
connection, 20 rounds in a row. Each round checks the invariant the race used to break."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from persistence.audit.models import AuditEvent
from persistence.database import Database
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.credentials import SessionRepository
from persistence.user.identity import create_user
from persistence.user.models import Organization, Role, User, UserRole
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.graph.conftest import PASSWORD, GraphQLClient, Member, World
from tests.graph.fixtures import only

ROUNDS = 20

SET_ROLES = """
mutation SetRoles($input: UserSetRolesInput!) {
  userSetRoles(input: $input) {
    __typename
    ... on ValidationError { field }
  }
}
"""

DEACTIVATE = """
mutation Deactivate($input: UserDeactivateInput!) {
  userDeactivate(input: $input) {
    __typename
    ... on ValidationError { field }
  }
}
"""

WHO_AM_I = "{ viewer { roles } }"

NewAdmins = Callable[[], Awaitable[tuple[Member, Member]]]


@dataclass(frozen=True)
class Action:
    """What one admin does to the other."""

    operation: str
    field: str
    variables: Callable[[Member], dict[str, Any]]


def demote_to(*roles: str) -> Action:
    return Action(SET_ROLES, "userSetRoles", lambda other: set_roles(other, *roles))


DEACTIVATE_OTHER = Action(
    DEACTIVATE,
    "userDeactivate",
    lambda other: {"input": {"id": other.global_id, "expectedVersion": other.user.version}},
)


def set_roles(member: Member, *roles: str) -> dict[str, Any]:
    return {"input": {"id": member.global_id, "roles": list(roles)}}


@pytest.fixture
async def two_admins(database: Database, settings: Settings) -> AsyncIterator[NewAdmins]:
    """Makes a fresh organization whose only admins are two logged-in members."""
    made: list[uuid.UUID] = []

    async def make() -> tuple[Member, Member]:
        async with database.transaction() as session:
            org = await OrganizationRepository(session).create(
                slug=f"t-{uuid.uuid4().hex[:12]}", name="Two admins"
            )
            made.append(org.id)
            scope = Scope.system(org.id)
            members = []
            for name in ("ada", "bob"):
                user = await create_user(
                    UserRepository(session, scope),
                    username=name,
                    email=f"{name}@example.com",
                    password=PASSWORD,
                    roles=[Role.ADMIN],
                    settings=settings,
                )
                sessions = SessionRepository(session, scope)
                token, _ = await sessions.open(user.id, ttl=timedelta(hours=1))
                members.append(Member(user=user, token=token))
            return members[0], members[1]

    yield make
    async with database.transaction() as session:
        await session.execute(delete(Organization).where(Organization.id.in_(made)))


async def active_admins(database: Database, organization_id: uuid.UUID) -> int:
    async with database.transaction() as session:
        stmt = (
            select(func.count())
            .select_from(User)
            .join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == Role.ADMIN))
            .where(
                User.organization_id == organization_id,
                User.is_active.is_(True),
                User.deleted_at.is_(None),
            )
        )
        return await session.scalar(stmt) or 0


async def warm_up(gql: GraphQLClient, operation: str, *members: Member) -> None:
    """Parse the operation once and open a pooled connection per member, so that in the
    first round too both requests reach the database together (a cold one can lag by a whole
    request: the other commits before it has even authenticated)."""
    await gql(operation)  # anonymous and without variables: refused, but parsed
    await asyncio.gather(*(gql(WHO_AM_I, token=member.token) for member in members))


def came_too_late(result: dict[str, Any]) -> bool:
    """Whether a request was refused because it authenticated only after the other one had
    committed (its caller no longer an admin, or logged out): then the two did not race."""
    codes = {error.get("extensions", {}).get("code") for error in result.get("errors", [])}
    return bool(codes) and codes <= {"FORBIDDEN", "UNAUTHENTICATED"}


async def assert_an_admin_survives(
    gql: GraphQLClient,
    database: Database,
    two_admins: NewAdmins,
    ada_does: Action,
    bob_does: Action,
) -> None:
    """Each round, in a fresh organization, ada acts on bob and bob on ada at the same instant,
    until 20 rounds have truly raced (a machine under load rarely lets one request finish
    before the other starts; that round is checked too, then played again)."""
    raced = 0
    for round in range(2 * ROUNDS):
        ada, bob = await two_admins()
        if round == 0:
            for action in (ada_does, bob_does):
                await warm_up(gql, action.operation, ada, bob)

        results = await asyncio.gather(
            gql(ada_does.operation, ada_does.variables(bob), token=ada.token),
            gql(bob_does.operation, bob_does.variables(ada), token=bob.token),
        )

        assert await active_admins(database, ada.user.organization_id) == 1, results
        if any(came_too_late(result) for result in results):
            continue
        payloads = [only(results[0], ada_does.field), only(results[1], bob_does.field)]
        succeeded = [p for p in payloads if p["__typename"].endswith("Success")]
        refused = [p for p in payloads if p["__typename"] == "ValidationError"]
        assert (len(succeeded), len(refused)) == (1, 1), payloads
        raced += 1
        if raced == ROUNDS:
            return
    pytest.fail(f"only {raced} of {2 * ROUNDS} rounds raced")


async def test_two_admins_demoting_each_other_keep_an_active_admin(
    gql: GraphQLClient, database: Database, two_admins: NewAdmins
) -> None:
    await assert_an_admin_survives(
        gql, database, two_admins, demote_to("EDITOR"), demote_to("EDITOR")
    )


async def test_two_admins_deactivating_each_other_keep_an_active_admin(
    gql: GraphQLClient, database: Database, two_admins: NewAdmins
) -> None:
    await assert_an_admin_survives(gql, database, two_admins, DEACTIVATE_OTHER, DEACTIVATE_OTHER)


async def test_an_admin_demoting_the_one_deactivating_them_keeps_an_active_admin(
    gql: GraphQLClient, database: Database, two_admins: NewAdmins
) -> None:
    await assert_an_admin_survives(gql, database, two_admins, demote_to("VIEWER"), DEACTIVATE_OTHER)


async def reset_roles(database: Database, member: Member, roles: list[Role]) -> None:
    scope = Scope.system(member.user.organization_id)
    async with database.transaction(member.user.organization_id) as session:
        await UserRepository(session, scope).set_roles(member.user.id, roles)


async def stored_roles(database: Database, member: Member) -> list[str]:
    scope = Scope.system(member.user.organization_id)
    async with database.transaction(member.user.organization_id) as session:
        found = await UserRepository(session, scope).roles_of([member.user.id])
    return [role.value for role in found[member.user.id]]


async def role_changes(database: Database, user_id: uuid.UUID) -> dict[uuid.UUID, Any]:
    """The `roles` change of every userSetRoles audit event of a user, by event id."""
    async with database.transaction() as session:
        stmt = select(AuditEvent.id, AuditEvent.changes).where(
            AuditEvent.entity_id == user_id, AuditEvent.action == "userSetRoles"
        )
        return {id: changes["roles"] for id, changes in await session.execute(stmt)}


async def assert_the_last_writer_wins(
    gql: GraphQLClient, database: Database, world: World, first: list[str], second: list[str]
) -> None:
    """Each round the viewer starts as VIEWER and two requests replace its roles at once."""
    target = world.viewer
    await warm_up(gql, SET_ROLES, world.admin, world.admin)
    for _ in range(ROUNDS):
        await reset_roles(database, target, [Role.VIEWER])
        seen = await role_changes(database, target.user.id)

        results = await asyncio.gather(
            gql(SET_ROLES, set_roles(target, *first), token=world.admin.token),
            gql(SET_ROLES, set_roles(target, *second), token=world.admin.token),
        )

        for result in results:
            assert only(result, "userSetRoles")["__typename"] == "UserSetRolesSuccess"
        final = await stored_roles(database, target)
        assert final in (first, second)
        # One ran after the other: the later one replaced exactly what the earlier one set.
        changes = [
            c for id, c in (await role_changes(database, target.user.id)).items() if id not in seen
        ]
        earlier, later = sorted(changes, key=lambda change: change["new"] == final)
        assert earlier["old"] == ["VIEWER"] and later["old"] == earlier["new"], changes
        assert later["new"] == final


async def test_concurrent_role_changes_leave_exactly_the_last_writers_roles(
    gql: GraphQLClient, database: Database, world: World
) -> None:
    await assert_the_last_writer_wins(gql, database, world, ["ADMIN"], ["EDITOR"])


async def test_concurrent_overlapping_role_changes_are_typed_results(
    gql: GraphQLClient, database: Database, world: World
) -> None:
    await assert_the_last_writer_wins(
        gql, database, world, ["EDITOR", "VIEWER"], ["ADMIN", "EDITOR"]
    )
