"""`twoFactorConfirm`: a code from the authenticator turns the pending factor on."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import ValidationError
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from graph.two_factor import verify
from graph.two_factor.types import InvalidTwoFactorCode, TwoFactorThrottled
from graph.user.types import SignInsEnded
from persistence.two_factor import codes
from persistence.two_factor.repository import TwoFactorRepository
from persistence.user.credentials import end_other_sign_ins


@strawberry.input(description="A code the authenticator shows for the pending secret.")
class TwoFactorConfirmInput:
    code: str = strawberry.field(description="The six digits shown now.")


@strawberry.type(
    description="Two-factor authentication is on: logins now ask for a code. The recovery "
    "codes are shown only here; each works once in place of a code. The caller's other "
    "sessions, opened with the password alone, ended, and so did the API keys created on a "
    "session."
)
class TwoFactorConfirmSuccess(SignInsEnded):
    recovery_codes: list[str] = strawberry.field(description="Ten single-use recovery codes.")


TwoFactorConfirmResult = Annotated[
    TwoFactorConfirmSuccess | InvalidTwoFactorCode | TwoFactorThrottled | ValidationError,
    strawberry.union("TwoFactorConfirmResult", description="The recovery codes, or why not."),
]

WRONG = "the code is not correct (or no enrolment is pending)"


async def resolve(info: strawberry.Info, input: TwoFactorConfirmInput) -> TwoFactorConfirmResult:
    viewer = info.context.viewer
    if (refused := verify.refused(input.code)) is not None:
        return refused
    checked = await verify.check(
        info.context,
        organization_id=viewer.organization_id,
        user_id=viewer.user_id,
        code=input.code,
        confirmed=False,
    )
    if isinstance(checked, verify.Throttled):
        return verify.throttled(checked)
    if isinstance(checked, verify.Wrong):
        return InvalidTwoFactorCode(message=WRONG)

    async def work(m: MutationContext) -> TwoFactorConfirmSuccess | InvalidTwoFactorCode:
        if not await verify.spend(m.session, m.scope, checked, confirmed=False):
            return InvalidTwoFactorCode(message=WRONG)
        recovery = codes.new_recovery_codes()
        hashes = [codes.hash_recovery_code(c) for c in recovery]
        await TwoFactorRepository(m.session, m.scope).confirm(
            viewer.user_id, recovery_code_hashes=hashes
        )
        sessions, keys = await end_other_sign_ins(
            m.session,
            m.scope,
            viewer.user_id,
            except_token=m.viewer.session_token,
            except_key=m.viewer.api_key_id,
        )
        await m.audit("twoFactorConfirm", "User", viewer.user_id)
        return TwoFactorConfirmSuccess(
            recovery_codes=recovery, revoked_sessions=sessions, revoked_api_keys=keys
        )

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Turn on the second factor `twoFactorEnroll` started, with a code the "
    "authenticator shows (any role, write scope); returns ten recovery codes once. Ends the "
    "caller's other sessions and revokes every API key created on a session but the one of "
    "this request, as `passwordChange` does. Must be the only field of its operation; wrong "
    "codes are throttled like passwords.",
    permission_classes=[CanWriteOwnAccount],
)
