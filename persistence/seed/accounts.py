"""Seed organizations' accounts: one user per role, with strong passwords shown once."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.scope import Scope
from persistence.seed.rows import UserRoleRows
from persistence.settings import Settings
from persistence.user.models import Role, User
from persistence.user.passwords import hash_password
from persistence.user.repository import UserRepository

FULL_NAMES = {Role.ADMIN: "Avery Admin", Role.EDITOR: "Eden Editor", Role.VIEWER: "Val Viewer"}


@dataclass(frozen=True)
class Login:
    """A seeded account as the person running the seed needs to see it, password included."""

    username: str
    email: str
    role: Role
    password: str


def new_password() -> str:
    """20 URL-safe characters from `secrets`: about 120 bits, and easy to paste."""
    return secrets.token_urlsafe(15)


async def create_accounts(
    session: AsyncSession,
    scope: Scope,
    *,
    domain: str,
    settings: Settings,
    password: str | None = None,
) -> tuple[list[User], list[Login]]:
    """Users `admin`, `editor` and `viewer` with their roles; three statements in all.

    One `password` for all three is for docs and tests; without it each gets its own.
    The bcrypt hashes are computed concurrently, each in a worker thread.
    """
    logins = [
        Login(role.lower(), f"{role.lower()}@{domain}", role, password or new_password())
        for role in (Role.ADMIN, Role.EDITOR, Role.VIEWER)
    ]
    hashes = await asyncio.gather(
        *(hash_password(login.password, rounds=settings.bcrypt_rounds) for login in logins)
    )
    users = await UserRepository(session, scope).create_many(
        [
            {
                "username": login.username,
                "email": login.email,
                "full_name": FULL_NAMES[login.role],
                "password_hash": digest,
            }
            for login, digest in zip(logins, hashes, strict=True)
        ]
    )
    await UserRoleRows(session, scope).create_many(
        [
            {"user_id": user.id, "role": login.role}
            for user, login in zip(users, logins, strict=True)
        ]
    )
    return users, logins
