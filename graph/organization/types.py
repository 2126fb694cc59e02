"""Organization settings as a GraphQL type."""

from __future__ import annotations

import strawberry

from graph.core.enums import Role, Visibility
from persistence.organization_settings import OrganizationSettings as Settings


@strawberry.type(
    description="The settings that govern the organization. A null number defers to the"
    " server's own setting (see the README's configuration table)."
)
class OrganizationSettings:
    default_document_visibility: Visibility = strawberry.field(
        description="The visibility of a document created without one."
    )
    deleted_retention_days: int = strawberry.field(
        description="Soft-deleted rows older than this are purged for good (1 to 3650)."
    )
    retrieval_retention_days: int = strawberry.field(
        description="Retrieval history older than this is forgotten (1 to 3650)."
    )
    session_lifetime_seconds: int | None = strawberry.field(
        description="How long a login session lasts (300 s to 90 days); null:"
        " `KHUB_SESSION_TTL_SECONDS`."
    )
    login_max_failures: int | None = strawberry.field(
        description="Login attempts admitted per login and client address before back-off"
        " (1 to 1000); null: `KHUB_LOGIN_MAX_FAILURES`."
    )
    login_account_max_failures: int | None = strawberry.field(
        description="Login attempts admitted per login from any address before back-off"
        " (1 to 10000); null: `KHUB_LOGIN_ACCOUNT_MAX_FAILURES`."
    )
    version: int = strawberry.field(
        description="Optimistic-locking version (0 until first changed); pass it to update."
    )

    @strawberry.field(description="Users with any of these roles must sign in with two factors.")
    def two_factor_roles(self, root: strawberry.Parent[Settings]) -> list[Role]:
        return sorted(root.two_factor_roles)
