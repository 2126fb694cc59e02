"""`login`: username or email and password in, an opaque session token out.

A login makes up its operation alone (graph/core/lone_fields.py) and never uses the
operation's transaction to check a password: it works in short transactions of its own on
the operation's connection, each confined to the organization named, so the attempt it
counts stays counted whatever happens next. Only a success fixes who the operation runs
as, before the operation's own transaction (which reads the payload) begins.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.errors import Error, ValidationError
from graph.core.input_check import refusal_for
from graph.two_factor.types import TwoFactorRequired
from graph.user.types import User
from persistence.audit.repository import AuditRepository
from persistence.organization_settings import settings_for
from persistence.scope import Scope
from persistence.two_factor import clock
from persistence.two_factor.repository import ChallengeRepository, TwoFactorRepository
from persistence.user import throttle
from persistence.user.credentials import SessionRepository
from persistence.user.models import Organization, Role
from persistence.user.models import User as UserRow
from persistence.user.passwords import verify_password
from persistence.user.repository import OrganizationRepository, UserRepository

WRONG = "the login or password is not correct"


@strawberry.input(description="Credentials to log in with.")
class LoginInput:
    login: str = strawberry.field(description="Username or email (case-insensitive).")
    password: str = strawberry.field(description="The account's password.")
    organization: str | None = strawberry.field(
        default=None,
        description="The organization's slug; may be left out when the server has only one.",
    )


@strawberry.type(description="A new session: send the token as `Authorization: Bearer <token>`.")
class LoginSuccess:
    token: str = strawberry.field(description="The session token; it is shown only here.")
    expires_at: datetime = strawberry.field(description="When the session ends.")
    user: User = strawberry.field(description="Who logged in.")
    two_factor_setup_required: bool = strawberry.field(
        default=False,
        description="The organization requires a second factor for one of the user's roles "
        "and none is set up: enrol with `twoFactorEnroll` and `twoFactorConfirm`.",
    )


@strawberry.type(description="The login or the password is wrong (deliberately not saying which).")
class InvalidCredentials(Error):
    pass


@strawberry.type(
    description="Too many attempts for this login from this address, for this login from "
    "anywhere, or from this address: try again after `retryAfter` seconds. Unknown logins "
    "and organizations are throttled exactly like real ones, so this says nothing about "
    "whether an account exists. An admin can lift it with `userUnlock`."
)
class LoginThrottled(Error):
    retry_after: int = strawberry.field(description="Seconds to wait before the next attempt.")


LoginResult = Annotated[
    LoginSuccess | TwoFactorRequired | InvalidCredentials | LoginThrottled | ValidationError,
    strawberry.union(
        "LoginResult",
        description="A session, a second factor still owed, or why there is neither.",
    ),
]


def _refused(input: LoginInput) -> ValidationError | None:
    """Input no account can match, refused before it reaches the database."""
    if not input.login.strip():
        return ValidationError(message="login must not be empty", field="login")
    if len(input.login.strip()) > throttle.LOGIN_MAX:
        return ValidationError(
            message=f"login must be at most {throttle.LOGIN_MAX} characters", field="login"
        )
    return None


async def _organization(session: AsyncSession, slug: str | None) -> Organization | None:
    organizations = OrganizationRepository(session)
    return await (organizations.by_slug(slug) if slug else organizations.only_one())


async def resolve(info: strawberry.Info, input: LoginInput) -> LoginResult:
    """Reserve the attempt on the throttle keys, then check the password (bcrypt, in a
    thread, outside any transaction), then open the session, or a challenge when the
    account has a second factor.

    Unknown organization, unknown or inactive user and wrong password are counted alike,
    cost the same bcrypt time and give the same InvalidCredentials.
    """
    refused = refusal_for(info) or _refused(input)
    if refused is not None:
        return refused
    context = info.context
    settings = context.db.settings
    operation = context.operation
    async with operation.apart(None) as session:
        org = await _organization(session, input.organization)
    org_id = org.id if org else None
    keys = throttle.keys_for(
        organization_id=org_id,
        organization=input.organization,
        login=input.login,
        client_address=context.client_address,
    )
    async with operation.apart(org_id) as session:
        policy = await throttle.policy_for(session, settings, org_id)
        reservation = await throttle.reserve(session, keys, policy=policy)
        user = None
        if reservation.admitted and org_id is not None:
            user = await UserRepository(session, Scope.system(org_id)).find_by_login(input.login)
    if not reservation.admitted:
        return LoginThrottled(
            message=f"too many attempts; try again in {reservation.retry_after} seconds",
            retry_after=reservation.retry_after,
        )
    matches = await verify_password(
        input.password, user.password_hash if user else None, rounds=settings.bcrypt_rounds
    )
    if user is None or org_id is None or not user.is_active or not matches:
        return InvalidCredentials(message=WRONG)
    scope = Scope.system(org_id)
    async with operation.apart(org_id) as session:
        await throttle.succeeded(session, keys, reservation)
        if not await TwoFactorRepository(session, scope).confirmed_for([user.id]):
            signed_in = await open_session(session, context, user, action="login")
        else:
            challenge, row = await ChallengeRepository(session, scope).open(
                user.id,
                now=clock.now(),
                ttl=timedelta(seconds=settings.two_factor_challenge_seconds),
            )
            return TwoFactorRequired(challenge=challenge, expires_at=row.expires_at)
    return signed_in.done(context)


@dataclass(frozen=True)
class SignedIn:
    """A session opened for a user, to sign the operation in once its transaction ends."""

    success: LoginSuccess
    user: UserRow
    roles: list[Role]
    session_id: uuid.UUID

    def done(self, context: Any) -> LoginSuccess:
        context.sign_in(self.user, self.roles, self.success.token, self.session_id)
        return self.success


async def open_session(
    session: AsyncSession,
    context: Any,
    user: UserRow,
    *,
    action: str,
    changes: dict[str, Any] | None = None,
) -> SignedIn:
    """A new session for `user`, audited as `action`, in the caller's short transaction of
    its own (`loginTwoFactor` finishes a login the same way)."""
    settings = context.db.settings
    org_id = user.organization_id
    scope = Scope.system(org_id)
    users = UserRepository(session, scope)
    await users.record_login_success(user.id)
    governing = await settings_for(session, org_id)
    lifetime = governing.session_lifetime_seconds or settings.session_ttl_seconds
    token, row = await SessionRepository(session, scope).open(
        user.id,
        ttl=timedelta(seconds=lifetime),
        client_address=context.client_address,
        user_agent=context.user_agent,
    )
    roles = (await users.roles_of([user.id]))[user.id]
    setup_required = governing.requires_two_factor(set(roles)) and not await TwoFactorRepository(
        session, scope
    ).confirmed_for([user.id])
    await AuditRepository(session, scope).record(
        action=action,
        entity_type="User",
        entity_id=user.id,
        changes=changes,
        actor_id=user.id,
        request_id=context.request_id,
        client_address=context.client_address,
    )
    success = LoginSuccess(
        token=token, expires_at=row.expires_at, user=user, two_factor_setup_required=setup_required
    )
    return SignedIn(success, user, roles, row.id)


field = strawberry.mutation(
    resolver=resolve,
    description="Log in with a username or email and a password; returns a session token, or "
    "`TwoFactorRequired` when the account has a second factor (then `loginTwoFactor`). "
    "Must be the only field of its operation. Attempts are throttled per login and client "
    "address, per login and per address, with back-off (see `LoginThrottled`).",
)
