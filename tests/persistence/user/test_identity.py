"""Passwords, logins and roles of new accounts (throttling: test_throttle.py)."""

from __future__ import annotations

import bcrypt
import pytest

from persistence.errors import ValidationError
from persistence.settings import Settings
from persistence.user.identity import create_user
from persistence.user.models import Role, User
from persistence.user.passwords import MAX_BYTES, hash_password, verify_password
from persistence.user.repository import UserRepository
from tests.fixtures.users import PASSWORD


async def test_passwords_are_stored_as_bcrypt_hashes_at_the_configured_cost(
    editor: User, settings: Settings
) -> None:
    assert editor.password_hash.startswith(f"$2b${settings.bcrypt_rounds:02d}$")
    assert bcrypt.checkpw(PASSWORD.encode(), editor.password_hash.encode())


async def test_a_login_finds_the_user_by_username_or_email_ignoring_case(
    users: UserRepository, editor: User
) -> None:
    for login in ("erin", " ERIN ", "Erin@Example.com"):
        found = await users.find_by_login(login)
        assert found is not None and found.id == editor.id

    assert await users.find_by_login("nobody") is None


@pytest.mark.parametrize("password", ["short", "é" * (MAX_BYTES // 2 + 1)])
async def test_passwords_outside_the_policy_are_refused(password: str) -> None:
    with pytest.raises(ValidationError) as raised:
        await hash_password(password, rounds=4)

    assert raised.value.field == "password"


async def test_a_password_longer_than_bcrypt_reads_never_matches() -> None:
    """bcrypt ignores bytes past 72; we refuse rather than accept a truncated match."""
    stored = await hash_password("x" * MAX_BYTES, rounds=4)

    assert await verify_password("x" * MAX_BYTES, stored, rounds=4)
    assert not await verify_password("x" * (MAX_BYTES + 10), stored, rounds=4)


async def test_roles_are_replaced_as_a_set(users: UserRepository, settings: Settings) -> None:
    user = await create_user(
        users,
        username="robin",
        email="robin@example.com",
        password=PASSWORD,
        roles=[Role.VIEWER],
        settings=settings,
    )

    await users.set_roles(user.id, [Role.EDITOR, Role.ADMIN, Role.EDITOR])

    assert (await users.roles_of([user.id]))[user.id] == [Role.ADMIN, Role.EDITOR]
