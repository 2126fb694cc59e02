"""`userUnlock`: an admin lifts the login throttle on one of their users."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import IsAdminWriter
from graph.user.types import User
from persistence.user import throttle
from persistence.user.repository import UserRepository


@strawberry.input(description="The user whose login attempts to forget.")
class UserUnlockInput:
    id: relay.GlobalID = strawberry.field(description="The user.")


@strawberry.type(description="The user's failed login attempts are forgotten, from every address.")
class UserUnlockSuccess:
    user: User = strawberry.field(description="The user, who may log in again at once.")
    cleared_counters: int = strawberry.field(
        description="How many throttle counters (per address, and from anywhere) were cleared."
    )


UserUnlockResult = Annotated[
    UserUnlockSuccess | ValidationError | NotFound,
    strawberry.union("UserUnlockResult", description="The unlocked user, or why not."),
]


async def resolve(info: strawberry.Info, input: UserUnlockInput) -> UserUnlockResult:
    async def work(m: MutationContext) -> UserUnlockSuccess:
        user = await UserRepository(m.session, m.scope).get(row_id(input.id, "User", field="id"))
        cleared = await throttle.unlock(
            m.session, organization_id=m.scope.organization_id, logins=[user.username, user.email]
        )
        await m.audit(
            "userUnlock", "User", user.id, {"cleared_counters": {"old": None, "new": cleared}}
        )
        return UserUnlockSuccess(user=user, cleared_counters=cleared)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Forget a user's failed login attempts in this organization, by username and "
    "by email, from every address (ADMIN, write scope), so a throttled user can log in at "
    "once. Counters kept per client address alone span organizations and stay.",
    permission_classes=[IsAdminWriter],
)
