"""The organization domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.organization.mutations import organization_settings_update


@strawberry.type
class OrganizationMutations:
    organization_settings_update = organization_settings_update.field
