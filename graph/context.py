"""Per-request context: the caller, the operation's connection and a fresh set of loaders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection

from graph.core.loaders import Loaders
from graph.operation import Operation
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.rate_limits import Spent, spent
from persistence.scope import Scope
from persistence.throttling import address_key
from persistence.user import tokens
from persistence.user.models import Role, User

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
    authenticated: bool = False
    operation_name: str | None = None  # the `operationName` the client sent, if any
    cost: Any = None  # the operation's estimate, once measured (graph/core/cost_limit.py)
    spent: Spent | None = None  # the rate limit's verdict, when a budget applies

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
        """Resolve the bearer token, if any, into the viewer (once per operation): one
        statement, which also begins and confines a query's transaction."""
        if self.authenticated:  # by the compiled path, which handed the operation over
            return
        budget = self.settings.rate_budget
        spend = None
        if budget is not None and self.cost is not None:
            spend = (address_key(self.client_address), max(self.cost.requested, 1), budget)
        secret = self.bearer()
        if secret is not None:
            parsed = tokens.parse(secret)
            if parsed is None:
                self.viewer = Viewer(why_anonymous="the bearer token is not valid")
            else:
                row = await self.operation.authenticate(
                    parsed.organization_id,
                    api_key=parsed.kind == tokens.API_KEY_PREFIX,
                    secret_hash=tokens.hash_secret(secret),
                    spend=spend,
                )
                self.viewer = viewer_for(
                    row, secret if parsed.kind == tokens.SESSION_PREFIX else None
                )
                if spend is not None:
                    self.spent = spent(row, spend[2])
        if spend is not None and self.spent is None:  # anonymous: spent per client address
            self.spent = spent(await self.operation.spend(*spend), spend[2])
        if self.spent is not None:  # for the response's RateLimit headers (graph/view.py)
            self.request.scope.setdefault("state", {})["rate_limit"] = self.spent
        self.operation.identify(self.viewer.organization_id)
        self.authenticated = True


_USER_COLUMNS = (
    "id",
    "organization_id",
    "username",
    "email",
    "full_name",
    "is_active",
    "last_login_at",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
)


def viewer_for(row: Any, session_token: str | None) -> Viewer:
    """The viewer `khub_authenticate` found (migration 0010), or why there is none."""
    if row.credential_id is None:
        return Viewer(why_anonymous="the bearer token is expired, revoked or unknown")
    if row.id is None:
        return Viewer(why_anonymous="the account behind this token is not active")
    return Viewer(
        user=User(**{name: getattr(row, name) for name in _USER_COLUMNS}),
        roles=frozenset(Role(r) for r in row.roles),
        scopes=frozenset(row.scopes),
        session_token=session_token,
        api_key_id=None if session_token else row.credential_id,
        origin_session_id=row.origin_session_id,
    )
