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
    api_key_id: uuid.UUID | None = None
    origin_session_id: uuid.UUID | None = None
    """The login session behind the credential: the session itself, or the one the API key
    was created on (directly or through other keys), if any."""
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
    # Input refused before execution, by root field response key (graph/core/input_check.py).
    refusals: dict[str, Any] = field(default_factory=dict)
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

    def sign_in(self, user: User, roles: list[Role], token: str, session_id: uuid.UUID) -> None:
        """The `login` that makes up this operation fixes who it runs as (never a change:
        a login operation skips the bearer token, see `graph/core/lone_fields.py`)."""
        self.operation.identify(user.organization_id)
        self.viewer = Viewer(
            user=user, roles=frozenset(roles), session_token=token, origin_session_id=session_id
        )

    async def authenticate(self) -> None:
        """Resolve the bearer token, if any, into the viewer (once per operation)."""
        secret = self.bearer()
        if secret is not None:
            parsed = tokens.parse(secret)
            if parsed is None:
                self.viewer = Viewer(why_anonymous="the bearer token is not valid")
            else:
                async with self.operation.apart(parsed.organization_id) as session:
                    self.viewer = await _viewer_for(session, secret, parsed)
        self.operation.identify(self.viewer.organization_id)


async def _viewer_for(session: AsyncSession, secret: str, parsed: tokens.ParsedToken) -> Viewer:
    scope = Scope.system(parsed.organization_id)
    key_id = origin = None
    if parsed.kind == tokens.SESSION_PREFIX:
        row = await SessionRepository(session, scope).resolve(secret)
        scopes, token = ALL_SCOPES, secret
        origin = row.id if row else None
    else:
        key = await ApiKeyRepository(session, scope).resolve(secret)
        scopes, token, row = (frozenset(key.scopes) if key else frozenset()), None, key
        if key is not None:
            key_id, origin = key.id, key.origin_session_id
    if row is None:
        return Viewer(why_anonymous="the bearer token is expired, revoked or unknown")
    users = UserRepository(session, scope)
    user = (await users.get_many([row.user_id]))[0]
    if user is None or not user.is_active:
        return Viewer(why_anonymous="the account behind this token is not active")
    roles = (await users.roles_of([user.id]))[user.id]
    return Viewer(
        user=user,
        roles=frozenset(roles),
        scopes=scopes,
        session_token=token,
        api_key_id=key_id,
        origin_session_id=origin,
    )
