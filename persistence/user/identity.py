"""Login: password check with lockout bookkeeping, and new accounts with hashed passwords."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from persistence.errors import DomainError
from persistence.settings import Settings
from persistence.user.models import Role, User
from persistence.user.passwords import hash_password, verify_password
from persistence.user.repository import UserRepository


class InvalidCredentials(DomainError):
    """Unknown login or wrong password: deliberately the same error and the same cost."""

    def __init__(self) -> None:
        super().__init__("the login or password is not correct")


class AccountLocked(DomainError):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed logins; try again after {until.isoformat()}")
        self.until = until


async def authenticate(
    users: UserRepository, *, login: str, password: str, settings: Settings
) -> User:
    """The user whose credentials these are, with the failure count and lockout kept.

    A failed attempt is recorded in the caller's transaction, so the caller must commit it
    even though it reports the failure.
    """
    user = await users.find_by_login(login)
    matches = await verify_password(
        password, user.password_hash if user else None, rounds=settings.bcrypt_rounds
    )
    if user is None or not user.is_active:
        raise InvalidCredentials()
    now = datetime.now(UTC)
    if user.locked_until is not None and user.locked_until > now:
        raise AccountLocked(user.locked_until)
    if not matches:
        locked_until = await users.record_login_failure(
            user.id,
            max_failures=settings.login_max_failures,
            lockout=timedelta(seconds=settings.login_lockout_seconds),
        )
        if locked_until is not None and locked_until > now:
            raise AccountLocked(locked_until)
        raise InvalidCredentials()
    await users.record_login_success(user.id)
    return user


async def create_user(
    users: UserRepository,
    *,
    username: str,
    email: str,
    password: str,
    full_name: str = "",
    roles: Sequence[Role] = (Role.VIEWER,),
    settings: Settings,
) -> User:
    """A new user with a bcrypt-hashed password and the given roles."""
    password_hash = await hash_password(password, rounds=settings.bcrypt_rounds)
    user = await users.create(
        username=username.strip(),
        email=email.strip(),
        full_name=full_name.strip(),
        password_hash=password_hash,
    )
    await users.set_roles(user.id, roles)
    return user
