"""Organizations, users and API keys as GraphQL types."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from graph.core.enums import Role
from graph.core.loaders import related
from graph.core.nodes import LoadedNode
from graph.core.pagination import Connection, nested_connection
from graph.core.permissions import IsSelfOrAdmin
from graph.core.types import RowType
from graph.document.loaders import DocumentsByOwnerLoader
from graph.retrieval.recent import recent_queries
from graph.user.loaders import (
    ApiKeyByIdLoader,
    OrganizationByIdLoader,
    RolesByUserIdLoader,
    UserByIdLoader,
    UserOnRecordByIdLoader,
)
from persistence.user import models

if TYPE_CHECKING:
    from graph.document.types import Document

DocumentRef = Annotated["Document", strawberry.lazy("graph.document.types")]


@strawberry.type(description="A tenant: everything else belongs to exactly one organization.")
class Organization(RowType, LoadedNode):
    model = models.Organization
    loader = OrganizationByIdLoader

    id: relay.NodeID[str]
    slug: str = strawberry.field(description="Short unique name, used at login.")
    name: str = strawberry.field(description="Display name.")
    created_at: datetime = strawberry.field(description="When it was created.")


@strawberry.type(description="A person with an account in the organization.")
class User(RowType, LoadedNode):
    model = models.User
    loader = UserByIdLoader

    id: relay.NodeID[str]
    username: str = strawberry.field(description="Unique login name (case-insensitive).")
    email: str | None = strawberry.field(
        description="Email address; only the user and admins may read it.",
        permission_classes=[IsSelfOrAdmin],
    )
    full_name: str = strawberry.field(description="Name to display.")
    is_active: bool = strawberry.field(description="Deactivated users cannot log in.")
    last_login_at: datetime | None = strawberry.field(description="Last successful login.")
    created_at: datetime = strawberry.field(description="When the account was created.")
    updated_at: datetime = strawberry.field(description="When the account last changed.")
    version: int = strawberry.field(description="Optimistic-locking version.")
    roles: list[Role] = related(
        RolesByUserIdLoader, key="id", description="The user's roles in the organization."
    )
    organization: Organization = related(
        OrganizationByIdLoader, key="organization_id", description="The user's organization."
    )

    documents: Connection[DocumentRef] = nested_connection(
        DocumentsByOwnerLoader, description="Documents this user owns that the caller may see."
    )
    recent_queries = recent_queries


@strawberry.enum(description="What an API key may do.")
class ApiKeyScope(enum.Enum):
    READ = strawberry.enum_value("read", description="Run queries.")
    WRITE = strawberry.enum_value("write", description="Run mutations, within the owner's roles.")


@strawberry.type(description="A credential for machines; its secret is shown only once.")
class ApiKey(RowType, LoadedNode):
    model = models.ApiKey
    loader = ApiKeyByIdLoader

    id: relay.NodeID[str]
    name: str = strawberry.field(description="What the key is for.")
    prefix: str = strawberry.field(description="The start and end of the secret, to recognise it.")
    scopes: list[ApiKeyScope] = strawberry.field(description="READ, and WRITE to allow mutations.")
    expires_at: datetime | None = strawberry.field(description="After this it stops working.")
    last_used_at: datetime | None = strawberry.field(description="When it last authenticated.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    created_at: datetime = strawberry.field(description="When it was created.")
    owner: User = related(UserOnRecordByIdLoader, key="user_id", description="The user it acts as.")


@strawberry.type(
    description="What a change of how the account signs in ended: the caller's other sessions "
    "and the API keys created on a session."
)
class SignInsEnded:
    revoked_sessions: int = strawberry.field(
        description="How many other sessions were ended (all of them when called with an API "
        "key); the session of this request stays open."
    )
    revoked_api_keys: int = strawberry.field(
        description="How many API keys were revoked: every key created on a login session, or "
        "with a key that was; the key of this request, if any, stays. Keys made without a "
        "session (the command line) stay."
    )
