"""`passwordChange`: a new password for the caller, proven by the current one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import strawberry

from graph.core.errors import ValidationError, from_domain
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from graph.user.types import SignInsEnded, User
from persistence import errors as domain
from persistence.user import models, throttle
from persistence.user.credentials import end_other_sign_ins
from persistence.user.passwords import check_policy, hash_password, verify_password
from persistence.user.repository import UserRepository


@strawberry.input(description="The current password, as proof, and the new one.")
class PasswordChangeInput:
    current_password: str = strawberry.field(description="The password in use now.")
    new_password: str = strawberry.field(
        description="The new password: 8 characters or more, at most 72 bytes in UTF-8."
    )


@strawberry.type(
    description="The password was changed; the caller's other sessions ended, and so did "
    "the API keys created on a session."
)
class PasswordChangeSuccess(SignInsEnded):
    user: User = strawberry.field(description="The caller's account.")


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


@dataclass(frozen=True)
class Proof:
    """The caller, shown to know their current password, and the attempt it cost."""

    user: models.User
    keys: throttle.Keys
    reservation: throttle.Reservation


async def _prove(info: strawberry.Info, input: PasswordChangeInput) -> ValidationError | Proof:
    """Check the current password as a login attempt is checked: reserved on the login
    throttle first, in a transaction of its own (committed whatever follows), so a stolen
    session cannot guess the password without limit."""
    context = info.context
    viewer = context.viewer
    settings = context.db.settings
    keys = throttle.keys_for(
        organization_id=viewer.organization_id,
        organization=None,
        login=viewer.user.username,
        client_address=context.client_address,
    )
    async with context.operation.apart(viewer.organization_id) as session:
        policy = await throttle.policy_for(session, settings, viewer.organization_id)
        reservation = await throttle.reserve(session, keys, policy=policy)
        user = await UserRepository(session, viewer.scope()).get(viewer.user_id)
    if not reservation.admitted:
        return ValidationError(
            message=f"too many wrong passwords; try again in {reservation.retry_after} seconds",
            field="currentPassword",
        )
    if not await verify_password(
        input.current_password, user.password_hash, rounds=settings.bcrypt_rounds
    ):
        return ValidationError(
            message="the current password is not correct", field="currentPassword"
        )
    return Proof(user, keys, reservation)


async def resolve(info: strawberry.Info, input: PasswordChangeInput) -> PasswordChangeResult:
    try:
        _check_new(input)
    except domain.ValidationError as error:
        return from_domain(error)  # type: ignore[return-value]
    proof = await _prove(info, input)
    if isinstance(proof, ValidationError):
        return proof

    async def work(m: MutationContext) -> PasswordChangeSuccess:
        settings = m.context.db.settings
        user = proof.user
        await throttle.succeeded(m.session, proof.keys, proof.reservation)
        password_hash = await hash_password(input.new_password, rounds=settings.bcrypt_rounds)
        updated = await UserRepository(m.session, m.scope).update(
            user.id, expected_version=None, password_hash=password_hash
        )
        sessions, keys = await end_other_sign_ins(
            m.session,
            m.scope,
            user.id,
            except_token=m.viewer.session_token,
            except_key=m.viewer.api_key_id,
        )
        await m.audit("passwordChange", "User", user.id)  # never the password, not even hashed
        return PasswordChangeSuccess(user=updated, revoked_sessions=sessions, revoked_api_keys=keys)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Change the caller's password (any role, write scope); must be the only field "
    "of its operation. Ends the caller's other sessions and revokes every API key created on "
    "a login session (or with such a key) but the one of this request; wrong current "
    "passwords count towards the login throttle.",
    permission_classes=[CanWriteOwnAccount],
)
