"""`organizationSettingsUpdate`: change the organization's settings, if nobody changed them
since they were read."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from graph.core.enums import Role, Visibility
from graph.core.errors import ValidationError, VersionConflict
from graph.core.mutations import MutationContext, diff, run
from graph.core.permissions import IsAdminWriter
from graph.organization.types import OrganizationSettings
from persistence import errors as domain
from persistence.organization_settings import (
    SETTABLE,
    settings_for,
    update_settings,
)
from persistence.organization_settings import OrganizationSettings as Settings

NULL_MEANS_SERVER = ("session_lifetime_seconds", "login_max_failures", "login_account_max_failures")


@strawberry.input(description="Settings to change; leave out what stays the same.")
class OrganizationSettingsUpdateInput:
    expected_version: int = strawberry.field(
        description="The version you read (0 before the first change); a newer one gives"
        " VersionConflict."
    )
    default_document_visibility: Visibility | None = strawberry.field(
        default=strawberry.UNSET, description="For documents created without a visibility."
    )
    deleted_retention_days: int | None = strawberry.field(
        default=strawberry.UNSET, description="1 to 3650."
    )
    retrieval_retention_days: int | None = strawberry.field(
        default=strawberry.UNSET, description="1 to 3650."
    )
    session_lifetime_seconds: int | None = strawberry.field(
        default=strawberry.UNSET, description="300 to 7776000; null: the server's setting."
    )
    login_max_failures: int | None = strawberry.field(
        default=strawberry.UNSET, description="1 to 1000; null: the server's setting."
    )
    login_account_max_failures: int | None = strawberry.field(
        default=strawberry.UNSET, description="1 to 10000; null: the server's setting."
    )
    two_factor_roles: list[Role] | None = strawberry.field(
        default=strawberry.UNSET, description="Roles that must sign in with two factors."
    )


@strawberry.type(description="The settings were changed.")
class OrganizationSettingsUpdateSuccess:
    settings: OrganizationSettings = strawberry.field(description="The settings as they are now.")


OrganizationSettingsUpdateResult = Annotated[
    OrganizationSettingsUpdateSuccess | ValidationError | VersionConflict,
    strawberry.union(
        "OrganizationSettingsUpdateResult", description="The changed settings, or why not."
    ),
]


def _changes(input: OrganizationSettingsUpdateInput) -> dict[str, Any]:
    """The settings the client set; null only where it means the server's setting."""
    changes: dict[str, Any] = {}
    for name in SETTABLE:
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        if value is None and name not in NULL_MEANS_SERVER:
            raise domain.ValidationError(name, f"{name.replace('_', ' ')} cannot be null")
        changes[name] = value
    return changes


def _audited(settings: Settings) -> dict[str, Any]:
    values = {name: getattr(settings, name) for name in SETTABLE}
    values["default_document_visibility"] = str(values["default_document_visibility"])
    values["two_factor_roles"] = sorted(str(r) for r in values["two_factor_roles"])
    return values


async def resolve(
    info: strawberry.Info, input: OrganizationSettingsUpdateInput
) -> OrganizationSettingsUpdateResult:
    async def work(m: MutationContext) -> OrganizationSettingsUpdateSuccess:
        organization_id = m.scope.organization_id
        changes = _changes(input)
        before = await settings_for(m.session, organization_id)
        after = await update_settings(
            m.session,
            organization_id,
            expected_version=input.expected_version,
            changes=changes,
        )
        changed = diff(_audited(before), _audited(after))
        await m.audit("organizationSettingsUpdate", "OrganizationSettings", after.id, changed)
        return OrganizationSettingsUpdateSuccess(settings=after)  # type: ignore[arg-type]

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Change the organization's settings (ADMIN), checking `expectedVersion`.",
    permission_classes=[IsAdminWriter],
)
