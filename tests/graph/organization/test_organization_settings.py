"""`organizationSettings` and `organizationSettingsUpdate`: typed, validated, versioned,
audited, for admins."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from persistence.audit.models import AuditEvent
from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only

SETTINGS = """
query OrganizationSettings {
  organizationSettings {
    defaultDocumentVisibility deletedRetentionDays retrievalRetentionDays
    sessionLifetimeSeconds loginMaxFailures loginAccountMaxFailures twoFactorRoles version
  }
}
"""

UPDATE = """
mutation UpdateSettings($input: OrganizationSettingsUpdateInput!) {
  organizationSettingsUpdate(input: $input) {
    __typename
    ... on OrganizationSettingsUpdateSuccess {
      settings { defaultDocumentVisibility deletedRetentionDays sessionLifetimeSeconds
                 loginMaxFailures twoFactorRoles version }
    }
    ... on ValidationError { field message }
    ... on VersionConflict { currentVersion message }
  }
}
"""

DEFAULTS = {
    "defaultDocumentVisibility": "ORGANIZATION",
    "deletedRetentionDays": 30,
    "retrievalRetentionDays": 90,
    "sessionLifetimeSeconds": None,
    "loginMaxFailures": None,
    "loginAccountMaxFailures": None,
    "twoFactorRoles": [],
    "version": 0,
}


async def update(gql: GraphQLClient, world: World, **input: object) -> dict:
    result = await gql(UPDATE, {"input": input}, token=world.admin.token)
    return only(result, "organizationSettingsUpdate")


async def test_an_organization_that_never_changed_them_has_the_defaults(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(SETTINGS, token=world.admin.token)

    assert only(result, "organizationSettings") == DEFAULTS


async def test_an_admin_changes_settings_with_a_version_and_an_audit_event(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    first = await update(
        gql, world, expectedVersion=0, deletedRetentionDays=7, twoFactorRoles=["ADMIN", "EDITOR"]
    )
    second = await update(gql, world, expectedVersion=1, sessionLifetimeSeconds=3600)

    assert first["settings"]["version"] == 1
    assert second["settings"] == {
        "defaultDocumentVisibility": "ORGANIZATION",
        "deletedRetentionDays": 7,
        "sessionLifetimeSeconds": 3600,
        "loginMaxFailures": None,
        "twoFactorRoles": ["ADMIN", "EDITOR"],
        "version": 2,
    }
    read = only(await gql(SETTINGS, token=world.admin.token), "organizationSettings")
    assert read["deletedRetentionDays"] == 7 and read["version"] == 2
    async with database.transaction() as session:
        events = (
            await session.scalars(
                select(AuditEvent)
                .where(
                    AuditEvent.organization_id == world.organization.id,
                    AuditEvent.action == "organizationSettingsUpdate",
                )
                .order_by(AuditEvent.created_at)
            )
        ).all()
    assert [e.changes for e in events] == [
        {
            "deleted_retention_days": {"old": 30, "new": 7},
            "two_factor_roles": {"old": [], "new": ["ADMIN", "EDITOR"]},
        },
        {"session_lifetime_seconds": {"old": None, "new": 3600}},
    ]
    assert {e.actor_id for e in events} == {world.admin.user.id}


async def test_null_gives_a_number_back_to_the_server_setting(
    gql: GraphQLClient, world: World
) -> None:
    await update(gql, world, expectedVersion=0, loginMaxFailures=2)

    payload = await update(gql, world, expectedVersion=1, loginMaxFailures=None)

    assert payload["settings"]["loginMaxFailures"] is None


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"deletedRetentionDays": 0}, "deletedRetentionDays"),
        ({"retrievalRetentionDays": 3651}, "retrievalRetentionDays"),
        ({"sessionLifetimeSeconds": 10}, "sessionLifetimeSeconds"),
        ({"loginMaxFailures": 0}, "loginMaxFailures"),
        ({"loginAccountMaxFailures": 10001}, "loginAccountMaxFailures"),
        ({"deletedRetentionDays": None}, "deletedRetentionDays"),
        ({"defaultDocumentVisibility": None}, "defaultDocumentVisibility"),
    ],
)
async def test_a_value_out_of_range_is_a_validation_error_and_changes_nothing(
    gql: GraphQLClient, world: World, input: dict, field: str
) -> None:
    payload = await update(gql, world, expectedVersion=0, **input)

    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == field
    assert only(await gql(SETTINGS, token=world.admin.token), "organizationSettings") == DEFAULTS


async def test_a_stale_version_is_a_conflict_with_the_current_one(
    gql: GraphQLClient, world: World
) -> None:
    await update(gql, world, expectedVersion=0, deletedRetentionDays=10)

    stale = await update(gql, world, expectedVersion=0, deletedRetentionDays=20)
    ahead = await update(gql, world, expectedVersion=5, deletedRetentionDays=20)

    assert stale["__typename"] == ahead["__typename"] == "VersionConflict"
    assert stale["currentVersion"] == ahead["currentVersion"] == 1


async def test_concurrent_first_changes_never_both_win(gql: GraphQLClient, world: World) -> None:
    """Invariant: of writers that read the same version, exactly one succeeds; the others
    get VersionConflict, also when no row existed yet (version 0)."""
    for round in range(20):
        current = only(await gql(SETTINGS, token=world.admin.token), "organizationSettings")
        answers = await asyncio.gather(
            *(
                update(gql, world, expectedVersion=current["version"], deletedRetentionDays=d)
                for d in (round + 1, round + 100, round + 200)
            )
        )
        kinds = sorted(a["__typename"] for a in answers)
        assert kinds == ["OrganizationSettingsUpdateSuccess", *["VersionConflict"] * 2]


async def test_only_admins_read_and_change_settings(gql: GraphQLClient, world: World) -> None:
    read = await gql(SETTINGS, token=world.editor.token)
    change = await gql(
        UPDATE,
        {"input": {"expectedVersion": 0, "deletedRetentionDays": 5}},
        token=world.editor.token,
    )
    anonymous = await gql(SETTINGS)

    assert [e["extensions"]["code"] for e in read["errors"]] == ["FORBIDDEN"]
    assert [e["extensions"]["code"] for e in change["errors"]] == ["FORBIDDEN"]
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]
