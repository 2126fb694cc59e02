"""Root query fields of the organization domain."""

from __future__ import annotations

import strawberry

from graph.core.permissions import IsAdmin
from graph.organization.types import OrganizationSettings
from persistence.organization_settings import settings_for


@strawberry.type
class OrganizationQueries:
    @strawberry.field(
        description="The settings of the caller's organization (ADMIN).",
        permission_classes=[IsAdmin],
    )
    async def organization_settings(self, info: strawberry.Info) -> OrganizationSettings:
        context = info.context
        async with context.operation.session() as session:
            found = await settings_for(session, context.viewer.scope().organization_id)
        return found  # type: ignore[return-value]
