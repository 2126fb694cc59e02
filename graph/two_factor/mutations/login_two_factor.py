"""`loginTwoFactor`: the second step of a login, a code for the challenge `login` gave.

Like `login` it makes up its operation alone and works in short transactions of its own:
the attempt is counted (committed) before the code is matched, and the challenge, the code
and the session are settled together in one more, so a challenge or code raced by two
requests signs in at most one of them.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.errors import Error, ValidationError
from graph.core.input_check import refusal_for
from graph.two_factor import verify
from graph.two_factor.types import InvalidTwoFactorCode, TwoFactorChallengeInvalid
from graph.user.mutations.login import LoginSuccess, LoginThrottled, open_session
from persistence.scope import Scope
from persistence.two_factor import clock
from persistence.two_factor.repository import ChallengeRepository, challenge_organization
from persistence.user.repository import UserRepository

MAX_CHALLENGE = 200
EXPIRED = "the challenge is unknown, used or expired: log in again"
WRONG = "the code is not correct"


@strawberry.input(description="The challenge `login` answered with, and a second-factor code.")
class LoginTwoFactorInput:
    challenge: str = strawberry.field(description="`TwoFactorRequired.challenge`.")
    code: str = strawberry.field(description="The authenticator's six digits or a recovery code.")


LoginTwoFactorResult = Annotated[
    LoginSuccess
    | InvalidTwoFactorCode
    | TwoFactorChallengeInvalid
    | LoginThrottled
    | ValidationError,
    strawberry.union("LoginTwoFactorResult", description="A session, or why there is none."),
]


class _Lost(Exception):
    """A concurrent request used the challenge or the code first: nothing is kept."""

    def __init__(self, error: Error) -> None:
        self.error = error


async def resolve(info: strawberry.Info, input: LoginTwoFactorInput) -> LoginTwoFactorResult:
    refused = refusal_for(info) or verify.refused(input.code)
    if refused is not None:
        return refused
    context = info.context
    org_id = challenge_organization(input.challenge[:MAX_CHALLENGE])
    if org_id is None or len(input.challenge) > MAX_CHALLENGE:
        return TwoFactorChallengeInvalid(message=EXPIRED)
    scope = Scope.system(org_id)
    async with context.operation.apart(org_id) as session:
        challenge = await ChallengeRepository(session, scope).live(input.challenge, now=clock.now())
    if challenge is None:
        return TwoFactorChallengeInvalid(message=EXPIRED)
    checked = await verify.check(
        context, organization_id=org_id, user_id=challenge.user_id, code=input.code
    )
    if isinstance(checked, verify.Throttled):
        return LoginThrottled(
            message=f"too many wrong codes; try again in {checked.retry_after} seconds",
            retry_after=checked.retry_after,
        )
    if isinstance(checked, verify.Wrong):
        return InvalidTwoFactorCode(message=WRONG)
    method = "totp" if checked.step is not None else "recovery code"
    try:
        async with context.operation.apart(org_id) as session:
            if not await ChallengeRepository(session, scope).consume(challenge.id, now=clock.now()):
                raise _Lost(TwoFactorChallengeInvalid(message=EXPIRED))
            if not await verify.spend(session, scope, checked):
                raise _Lost(InvalidTwoFactorCode(message=WRONG))
            (user,) = await UserRepository(session, scope).get_many([challenge.user_id])
            if user is None or not user.is_active:
                raise _Lost(TwoFactorChallengeInvalid(message=EXPIRED))
            signed_in = await open_session(
                session,
                context,
                user,
                action="loginTwoFactor",
                changes={"second_factor": {"old": None, "new": method}},
            )
    except _Lost as lost:
        return lost.error  # type: ignore[return-value]
    return signed_in.done(context)


field = strawberry.mutation(
    resolver=resolve,
    description="Finish a login that answered `TwoFactorRequired`: the challenge and a code "
    "from the authenticator (each code works once) or an unused recovery code. Must be the "
    "only field of its operation; wrong codes are throttled like passwords.",
)
