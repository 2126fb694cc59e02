"""`userActivate`: a deactivated user may log in again."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from graph.user.types import User
from persistence.user.repository import UserRepository

AUDITED = ("is_active",)


@strawberry.input(description="The user to activate.")
class UserActivateInput:
    id: relay.GlobalID = strawberry.field(description="The user.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )


@strawberry.type(description="The user was activated: they can log in, and their API keys work.")
class UserActivateSuccess:
    user: User = strawberry.field(description="The user, now active.")


UserActivateResult = Annotated[
    UserActivateSuccess | ValidationError | NotFound | VersionConflict,
    strawberry.union("UserActivateResult", description="The activated user, or why not."),
]


async def resolve(info: strawberry.Info, input: UserActivateInput) -> UserActivateResult:
    async def work(m: MutationContext) -> UserActivateSuccess:
        user_id = row_id(input.id, "User", field="id")
        users = UserRepository(m.session, m.scope)
        before = snapshot(await users.get(user_id), AUDITED)
        user = await users.update(user_id, expected_version=input.expected_version, is_active=True)
        await m.audit("userActivate", "User", user_id, diff(before, snapshot(user, AUDITED)))
        return UserActivateSuccess(user=user)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Activate a deactivated user again (ADMIN, write scope), checking "
    "`expectedVersion`. Sessions ended by the deactivation stay ended.",
    permission_classes=[IsAdminWriter],
)
