"""`twoFactorDisable`: the caller turns their second factor off, proven by a code."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import ValidationError
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from graph.two_factor import verify
from graph.two_factor.types import InvalidTwoFactorCode, TwoFactorThrottled
from graph.user.types import User
from persistence.two_factor.repository import TwoFactorRepository
from persistence.user.repository import UserRepository


@strawberry.input(description="A current code, or a recovery code, as proof.")
class TwoFactorDisableInput:
    code: str = strawberry.field(description="The authenticator's six digits or a recovery code.")


@strawberry.type(description="Two-factor authentication is off; logins ask for the password only.")
class TwoFactorDisableSuccess:
    user: User = strawberry.field(description="The caller's account.")


TwoFactorDisableResult = Annotated[
    TwoFactorDisableSuccess | InvalidTwoFactorCode | TwoFactorThrottled | ValidationError,
    strawberry.union("TwoFactorDisableResult", description="The account, or why not."),
]

WRONG = "the code is not correct (or two-factor authentication is not on)"


async def resolve(info: strawberry.Info, input: TwoFactorDisableInput) -> TwoFactorDisableResult:
    viewer = info.context.viewer
    if (refused := verify.refused(input.code)) is not None:
        return refused
    checked = await verify.check(
        info.context,
        organization_id=viewer.organization_id,
        user_id=viewer.user_id,
        code=input.code,
    )
    if isinstance(checked, verify.Throttled):
        return verify.throttled(checked)
    if isinstance(checked, verify.Wrong):
        return InvalidTwoFactorCode(message=WRONG)

    async def work(m: MutationContext) -> TwoFactorDisableSuccess | InvalidTwoFactorCode:
        if not await verify.spend(m.session, m.scope, checked):
            return InvalidTwoFactorCode(message=WRONG)
        await TwoFactorRepository(m.session, m.scope).remove(viewer.user_id)
        await m.audit("twoFactorDisable", "User", viewer.user_id)
        return TwoFactorDisableSuccess(
            user=await UserRepository(m.session, m.scope).get(viewer.user_id)
        )

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Turn the caller's second factor off (any role, write scope), proven by a "
    "current code or a recovery code. Must be the only field of its operation; wrong codes "
    "are throttled like passwords.",
    permission_classes=[CanWriteOwnAccount],
)
