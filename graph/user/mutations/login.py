"""`login`: username or email and password in, an opaque session token out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

import strawberry

from graph.core.errors import Error, ValidationError
from graph.core.input_check import refusal_for
from graph.user.types import User
from persistence.audit.repository import AuditRepository
from persistence.scope import Scope
from persistence.user import identity
from persistence.user.credentials import SessionRepository
from persistence.user.passwords import verify_password
from persistence.user.repository import OrganizationRepository, UserRepository


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


@strawberry.type(description="The login or the password is wrong (deliberately not saying which).")
class InvalidCredentials(Error):
    pass


@strawberry.type(description="Too many failed logins: the account is locked for a while.")
class AccountLocked(Error):
    locked_until: datetime = strawberry.field(description="When logging in works again.")


LoginResult = Annotated[
    LoginSuccess | InvalidCredentials | AccountLocked | ValidationError,
    strawberry.union("LoginResult", description="A session, or why there is none."),
]


async def resolve(info: strawberry.Info, input: LoginInput) -> LoginResult:
    """Check the credentials; failed attempts are counted (and committed) towards a lockout.

    Unknown organization, unknown user and wrong password cost the same bcrypt time and give
    the same InvalidCredentials, so the answer reveals nothing about which accounts exist.
    """
    context = info.context
    settings = context.db.settings
    if (refused := refusal_for(info)) is not None:
        return refused
    if not input.login.strip():
        return ValidationError(message="login must not be empty", field="login")
    async with context.operation.session() as session:
        organizations = OrganizationRepository(session)
        org = (
            await organizations.by_slug(input.organization)
            if input.organization
            else await organizations.only_one()
        )
        if org is None:
            await verify_password(input.password, None, rounds=settings.bcrypt_rounds)
            return InvalidCredentials(message=identity.InvalidCredentials().message)
        await context.operation.apply_scope(session, org.id)
        scope = Scope.system(org.id)
        audit = AuditRepository(session, scope)
        try:
            user = await identity.authenticate(
                UserRepository(session, scope),
                login=input.login,
                password=input.password,
                settings=settings,
            )
        except identity.AccountLocked as locked:
            return AccountLocked(message=locked.message, locked_until=locked.until)
        except identity.InvalidCredentials as invalid:
            return InvalidCredentials(message=invalid.message)
        token, row = await SessionRepository(session, scope).open(
            user.id,
            ttl=timedelta(seconds=settings.session_ttl_seconds),
            client_address=context.client_address,
            user_agent=context.user_agent,
        )
        roles = (await UserRepository(session, scope).roles_of([user.id]))[user.id]
        await audit.record(
            action="login",
            entity_type="User",
            entity_id=user.id,
            actor_id=user.id,
            request_id=context.request_id,
            client_address=context.client_address,
        )
    context.sign_in(user, roles, token)
    return LoginSuccess(token=token, expires_at=row.expires_at, user=user)


field = strawberry.mutation(
    resolver=resolve,
    description="Log in with a username or email and a password; returns a session token.",
)
