"""`userTwoFactorReset`: an admin removes a user's second factor (a lost phone)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import IsAdminWriter
from graph.user.types import User
from persistence.two_factor import attempts
from persistence.two_factor.repository import TwoFactorRepository
from persistence.user.repository import UserRepository


@strawberry.input(description="The user whose second factor to remove.")
class UserTwoFactorResetInput:
    id: relay.GlobalID = strawberry.field(description="The user.")


@strawberry.type(
    description="The user's second factor, pending or on, is gone with its recovery codes, "
    "open login challenges and wrong-code counts: they log in with the password alone and "
    "may enrol again."
)
class UserTwoFactorResetSuccess:
    user: User = strawberry.field(description="The user.")
    removed: bool = strawberry.field(description="Whether the user had a second factor.")


UserTwoFactorResetResult = Annotated[
    UserTwoFactorResetSuccess | ValidationError | NotFound,
    strawberry.union("UserTwoFactorResetResult", description="The user, or why not."),
]


async def resolve(
    info: strawberry.Info, input: UserTwoFactorResetInput
) -> UserTwoFactorResetResult:
    async def work(m: MutationContext) -> UserTwoFactorResetSuccess:
        user = await UserRepository(m.session, m.scope).get(row_id(input.id, "User", field="id"))
        removed = await TwoFactorRepository(m.session, m.scope).remove(user.id)
        await attempts.forget(m.session, organization_id=m.scope.organization_id, user_id=user.id)
        await m.audit(
            "userTwoFactorReset", "User", user.id, {"two_factor": {"old": removed, "new": False}}
        )
        return UserTwoFactorResetSuccess(user=user, removed=removed)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Remove a user's second factor in this organization (ADMIN, write scope), "
    "e.g. after a lost phone; audited.",
    permission_classes=[IsAdminWriter],
)
