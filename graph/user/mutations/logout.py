"""`logout`: end the caller's session."""

from __future__ import annotations

import strawberry

from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from persistence.user.credentials import SessionRepository


@strawberry.type(description="The session has ended; its token no longer works.")
class LogoutSuccess:
    ok: bool = strawberry.field(description="Always true.")


async def resolve(info: strawberry.Info) -> LogoutSuccess:
    """Revoke the session token this request came with (API keys are revoked apart)."""

    async def work(m: MutationContext) -> LogoutSuccess:
        token = m.viewer.session_token
        if token is not None:
            await SessionRepository(m.session, m.scope).revoke(token)
            await m.audit("logout", "User", m.viewer.user_id)
        return LogoutSuccess(ok=True)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="End the current session. Must be the only field of its operation.",
    permission_classes=[CanWriteOwnAccount],
)
