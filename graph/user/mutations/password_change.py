"""`passwordChange`: a new password for the caller, proven by the current one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry

from graph.core.errors import ValidationError
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from graph.user.types import User
from persistence import errors as domain
from persistence.settings import Settings
from persistence.user import models
from persistence.user.credentials import SessionRepository
from persistence.user.passwords import check_policy, hash_password, verify_password
from persistence.user.repository import UserRepository


@strawberry.input(description="The current password, as proof, and the new one.")
class PasswordChangeInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(
        description="The new password: 8 characters or more, at most 72 bytes in UTF-8."
    )


@strawberry.type(description="The password was changed; the caller's other sessions ended.")
class PasswordChangeSuccess:
    user: User = strawberry.field(description="The caller's account.")
    revoked_sessions: int = strawberry.field(
        description="How many other sessions were ended (all of them when called with an API "
        "key); the session of this request stays open."
    )


PasswordChangeResult = Annotated[
    PasswordChangeSuccess | ValidationError,
    strawberry.union("PasswordChangeResult", description="The changed account, or why not."),
]


def _check_new(input: PasswordChangeInput) -> None:
    """Refuse a new password the policy refuses, or one that changes nothing."""
    try:
        check_policy(input.new_password)
    except domain.ValidationError as error:
        raise domain.ValidationError("new_password", error.message) from error
    if input.new_password == input.current_password:
        raise domain.ValidationError("new_password", "the new password must differ")


async def _refuse_current(
    users: UserRepository, user: models.User, password: str, settings: Settings
) -> ValidationError | None:
    """Why `password` does not prove the caller, counting failures towards the login lockout:
    a stolen session must not be a way to guess the password without limit."""
    now = datetime.now(UTC)
    if user.locked_until is not None and user.locked_until > now:
        until = user.locked_until.isoformat()
        return ValidationError(
            message=f"too many wrong passwords; try again after {until}", field="currentPassword"
        )
    if await verify_password(password, user.password_hash, rounds=settings.bcrypt_rounds):
        return None
    await users.record_login_failure(
        user.id,
        max_failures=settings.login_max_failures,
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )
    return ValidationError(message="the current password is not correct", field="currentPassword")


async def resolve(info: strawberry.Info, input: PasswordChangeInput) -> PasswordChangeResult:
    async def work(m: MutationContext) -> PasswordChangeSuccess | ValidationError:
        settings = m.context.db.settings
        users = UserRepository(m.session, m.scope)
        _check_new(input)
        user = await users.get(m.viewer.user_id)
        refused = await _refuse_current(users, user, input.current_password, settings)
        if refused is not None:
            return refused  # returned, not raised: the counted failure must be committed
        password_hash = await hash_password(input.new_password, rounds=settings.bcrypt_rounds)
        updated = await users.update(
            user.id, expected_version=None, password_hash=password_hash, failed_login_count=0
        )
        revoked = await SessionRepository(m.session, m.scope).revoke_all_for(
            user.id, except_token=m.viewer.session_token
        )
        await m.audit("passwordChange", "User", user.id)  # never the password, not even hashed
        return PasswordChangeSuccess(user=updated, revoked_sessions=revoked)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Change the caller's password (any role, write scope). Ends the caller's other "
    "sessions; wrong current passwords count towards the login lockout.",
    permission_classes=[CanWriteOwnAccount],
)
