"""New accounts with hashed passwords (login attempts are throttled by `throttle.py`)."""

from __future__ import annotations

from collections.abc import Sequence

from persistence.settings import Settings
from persistence.user.models import Role, User
from persistence.user.passwords import hash_password
from persistence.user.repository import UserRepository


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
