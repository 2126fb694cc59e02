"""Per-request context: the caller, the operation's connection and a fresh set of loaders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from graph.core.loaders import Loaders
from graph.operation import Operation
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.scope import Scope
from persistence.user import tokens
from persistence.user.credentials import ApiKeyRepository, SessionRepository
from persistence.user.models import Role, User
from persistence.user.repository import UserRepository

ALL_SCOPES = frozenset({"read", "write"})


@dataclass(frozen=True)
class Viewer:
    """Who is calling: a user of one organization with roles, or nobody."""

    user: User | None = None
    roles: frozenset[Role] = frozenset()
    scopes: frozenset[str] = ALL_SCOPES
    session_token: str | None = None
    why_anonymous: str = "authentication required"

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.user.id if self.user else None

    @property
    def organization_id(self) -> uuid.UUID | None:
        return self.user.organization_id if self.user else None

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_editor(self) -> bool:
        return bool({Role.ADMIN, Role.EDITOR} & self.roles)

    @property
    def can_write(self) -> bool:
        return "write" in self.scopes

    def scope(self) -> Scope:
        """The repositories' view of this caller (anonymous callers see no organization)."""
        if self.user is None:
            return Scope(organization_id=uuid.UUID(int=0))
        return Scope(self.user.organization_id, user_id=self.user.id, is_admin=self.is_admin)


@dataclass
class Context:
    """What every resolver gets as `info.context`."""

    request: HTTPConnection
    response: Any
    db: Database
    settings: ServerSettings
    request_id: str
    operation: Operation = field(init=False)
    loaders: Loaders = field(init=False)
    viewer: Viewer = field(default_factory=Viewer)
    operation_name: str | None = None  # the `operationName` the client sent, if any

    def __post_init__(self) -> None:
        self.operation = Operation(self.db)
        self.loaders = Loaders(self)

    @property
    def client_address(self) -> str | None:
        client = self.request.client
        return client.host if client else None

    @property
    def user_agent(self) -> str | None:
        return self.request.headers.get("user-agent")

    def bearer(self) -> str | None:
        header = self.request.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            return header[7:].strip() or None
        return None

    def sign_in(self, user: User, roles: list[Role], token: str) -> None:
        """The rest of a `login` operation runs as the user who just logged in."""
        self.viewer = Viewer(user=user, roles=frozenset(roles), session_token=token)

    async def authenticate(self) -> None:
        """Resolve the bearer token, if any, into the viewer (once per operation)."""
        secret = self.bearer()
        if secret is None:
            return
        parsed = tokens.parse(secret)
        if parsed is None:
            self.viewer = Viewer(why_anonymous="the bearer token is not valid")
            return

        async def resolve(session: AsyncSession) -> uuid.UUID | None:
            await self.operation.apply_scope(session, parsed.organization_id)
            self.viewer = await _viewer_for(session, secret, parsed)
            return self.viewer.organization_id

        await self.operation.authenticate(resolve)


async def _viewer_for(session: AsyncSession, secret: str, parsed: tokens.ParsedToken) -> Viewer:
    scope = Scope.system(parsed.organization_id)
    if parsed.kind == tokens.SESSION_PREFIX:
        row = await SessionRepository(session, scope).resolve(secret)
        scopes, token = ALL_SCOPES, secret
    else:
        row = await ApiKeyRepository(session, scope).resolve(secret)
        scopes, token = (frozenset(row.scopes) if row else frozenset()), None
    if row is None:
        return Viewer(why_anonymous="the bearer token is expired, revoked or unknown")
    users = UserRepository(session, scope)
    user = (await users.get_many([row.user_id]))[0]
    if user is None or not user.is_active:
        return Viewer(why_anonymous="the account behind this token is not active")
    roles = (await users.roles_of([user.id]))[user.id]
    return Viewer(user=user, roles=frozenset(roles), scopes=scopes, session_token=token)
