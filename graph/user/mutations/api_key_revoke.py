"""`apiKeyRevoke`: an API key stops working for good."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWriteOwnAccount
from graph.user.types import ApiKey
from persistence.user.credentials import ApiKeyRepository


@strawberry.input(description="The API key to revoke.")
class ApiKeyRevokeInput:
    id: relay.GlobalID = strawberry.field(description="The key: one of yours, or any (admins).")


@strawberry.type(description="The key was revoked; requests with its secret are anonymous now.")
class ApiKeyRevokeSuccess:
    api_key: ApiKey = strawberry.field(description="The key, with `revokedAt` set.")


ApiKeyRevokeResult = Annotated[
    ApiKeyRevokeSuccess | NotFound | ValidationError,
    strawberry.union("ApiKeyRevokeResult", description="The revoked key, or why not."),
]


async def resolve(info: strawberry.Info, input: ApiKeyRevokeInput) -> ApiKeyRevokeResult:
    async def work(m: MutationContext) -> ApiKeyRevokeSuccess:
        key_id = row_id(input.id, "ApiKey", field="id")
        key = await ApiKeyRepository(m.session, m.scope).revoke(key_id)
        changes = diff({"revoked_at": None}, snapshot(key, ("revoked_at",)))
        await m.audit("apiKeyRevoke", "ApiKey", key.id, changes)
        return ApiKeyRevokeSuccess(api_key=key)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Revoke an API key: your own, or anyone's for admins (write scope). "
    "A key that is someone else's, or revoked already, is NotFound.",
    permission_classes=[CanWriteOwnAccount],
)
