"""`apiKeyCreate`: a credential for machines, acting as the caller; its secret is shown once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from graph.core.errors import ValidationError
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWriteOwnAccount
from graph.user.types import ApiKey, ApiKeyScope
from persistence import errors as domain
from persistence.user import models
from persistence.user.credentials import ApiKeyRepository

AUDITED = ("name", "scopes", "expires_at", "user_id", "prefix", "origin_session_id")
NAME_MAX = models.ApiKey.__table__.c.name.type.length


@strawberry.input(description="A new API key.")
class ApiKeyCreateInput:
    name: str = strawberry.field(description="What the key is for (not blank).")
    scopes: list[ApiKeyScope] = strawberry.field(description="At least one scope.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="When it stops working (with a time zone); null: never."
    )


@strawberry.type(description="The key was created; store the secret now, it is not shown again.")
class ApiKeyCreateSuccess:
    api_key: ApiKey = strawberry.field(description="The new key.")
    secret: str = strawberry.field(
        description="Send it as `Authorization: Bearer <secret>`. Only its hash is kept."
    )


ApiKeyCreateResult = Annotated[
    ApiKeyCreateSuccess | ValidationError,
    strawberry.union("ApiKeyCreateResult", description="The new key and its secret, or why not."),
]


def _name(name: str) -> str:
    name = name.strip()
    if len(name) > NAME_MAX:
        raise domain.ValidationError("name", f"name must be at most {NAME_MAX} characters")
    return name  # blank names are refused by the table's CHECK constraint


def _expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        raise domain.ValidationError("expires_at", "expiresAt must include a time zone")
    if expires_at <= datetime.now(UTC):
        raise domain.ValidationError("expires_at", "expiresAt must be in the future")
    return expires_at


async def resolve(info: strawberry.Info, input: ApiKeyCreateInput) -> ApiKeyCreateResult:
    async def work(m: MutationContext) -> ApiKeyCreateSuccess:
        secret, key = await ApiKeyRepository(m.session, m.scope).issue(
            m.viewer.user_id,
            name=_name(input.name),
            scopes=[scope.value for scope in input.scopes],
            expires_at=_expiry(input.expires_at),
            origin_session_id=m.viewer.origin_session_id,
        )
        await m.audit("apiKeyCreate", "ApiKey", key.id, diff({}, snapshot(key, AUDITED)))
        return ApiKeyCreateSuccess(api_key=key, secret=secret)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Create an API key acting as the caller (any role, write scope). A key created "
    "on a login session, or with a key that was, is revoked when the user's password changes "
    "(`passwordChange`): a stolen password cannot leave a key behind.",
    permission_classes=[CanWriteOwnAccount],
)
