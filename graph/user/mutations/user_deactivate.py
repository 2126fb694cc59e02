"""`userDeactivate`: a user can no longer log in, and their sessions end at once; the
organization's last active admin cannot be deactivated."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from graph.user.types import User
from persistence import errors as domain
from persistence.user.credentials import SessionRepository
from persistence.user.repository import UserRepository

AUDITED = ("is_active",)


@strawberry.input(description="The user to deactivate.")
class UserDeactivateInput:
    id: relay.GlobalID = strawberry.field(description="The user (not yourself).")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )


@strawberry.type(description="The user was deactivated; their sessions and API keys stop working.")
class UserDeactivateSuccess:
    user: User = strawberry.field(description="The user, now inactive.")
    revoked_sessions: int = strawberry.field(description="How many live sessions were ended.")


UserDeactivateResult = Annotated[
    UserDeactivateSuccess | ValidationError | NotFound | VersionConflict,
    strawberry.union("UserDeactivateResult", description="The deactivated user, or why not."),
]


async def resolve(info: strawberry.Info, input: UserDeactivateInput) -> UserDeactivateResult:
    async def work(m: MutationContext) -> UserDeactivateSuccess:
        user_id = row_id(input.id, "User", field="id")
        if user_id == m.viewer.user_id:
            raise domain.ValidationError("id", "admins cannot deactivate their own account")
        users = UserRepository(m.session, m.scope)
        await users.ensure_an_admin_remains(without=user_id, field="id")
        before = snapshot(await users.get(user_id), AUDITED)
        user = await users.update(user_id, expected_version=input.expected_version, is_active=False)
        revoked = await SessionRepository(m.session, m.scope).revoke_all_for(user_id)
        await m.audit("userDeactivate", "User", user_id, diff(before, snapshot(user, AUDITED)))
        return UserDeactivateSuccess(user=user, revoked_sessions=revoked)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Deactivate a user (ADMIN, write scope), checking `expectedVersion`: they "
    "cannot log in, their sessions end, their API keys stop working until `userActivate`. "
    "The organization's last active admin cannot be deactivated (ValidationError on `id`).",
    permission_classes=[IsAdminWriter],
)
