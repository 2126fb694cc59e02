"""Passwords, login bookkeeping and lockout."""

from __future__ import annotations

from dataclasses import replace

import bcrypt
import pytest

from persistence.errors import ValidationError
from persistence.settings import Settings
from persistence.user.identity import AccountLocked, InvalidCredentials, authenticate, create_user
from persistence.user.models import Role, User
from persistence.user.passwords import MAX_BYTES, hash_password, verify_password
from persistence.user.repository import UserRepository
from tests.fixtures.users import PASSWORD


async def test_passwords_are_stored_as_bcrypt_hashes_at_the_configured_cost(
    editor: User, settings: Settings
) -> None:
    assert editor.password_hash.startswith(f"$2b${settings.bcrypt_rounds:02d}$")
    assert bcrypt.checkpw(PASSWORD.encode(), editor.password_hash.encode())


async def test_login_by_username_or_email_ignoring_case(
    users: UserRepository, editor: User, settings: Settings
) -> None:
    for login in ("erin", "ERIN", "Erin@Example.com"):
        user = await authenticate(users, login=login, password=PASSWORD, settings=settings)
        assert user.id == editor.id

    refreshed = await users.get(editor.id)
    assert refreshed.last_login_at is not None


async def test_unknown_user_and_wrong_password_are_the_same_error(
    users: UserRepository, editor: User, settings: Settings
) -> None:
    with pytest.raises(InvalidCredentials) as unknown:
        await authenticate(users, login="nobody", password=PASSWORD, settings=settings)
    with pytest.raises(InvalidCredentials) as wrong:
        await authenticate(users, login="erin", password="wrong password", settings=settings)

    assert unknown.value.message == wrong.value.message


async def test_the_account_locks_after_the_configured_number_of_failures(
    users: UserRepository, editor: User, settings: Settings
) -> None:
    for _ in range(settings.login_max_failures - 1):
        with pytest.raises(InvalidCredentials):
            await authenticate(users, login="erin", password="nope nope", settings=settings)

    with pytest.raises(AccountLocked):
        await authenticate(users, login="erin", password="nope nope", settings=settings)
    with pytest.raises(AccountLocked):  # even the right password waits out the lock
        await authenticate(users, login="erin", password=PASSWORD, settings=settings)


async def test_the_lock_expires(users: UserRepository, editor: User, settings: Settings) -> None:
    brief = replace(settings, login_lockout_seconds=0)
    for _ in range(brief.login_max_failures):
        with pytest.raises((InvalidCredentials, AccountLocked)):
            await authenticate(users, login="erin", password="nope nope", settings=brief)

    user = await authenticate(users, login="erin", password=PASSWORD, settings=brief)

    assert user.failed_login_count == 0 or (await users.get(editor.id)).failed_login_count == 0


async def test_a_successful_login_resets_the_failure_count(
    users: UserRepository, editor: User, settings: Settings
) -> None:
    with pytest.raises(InvalidCredentials):
        await authenticate(users, login="erin", password="nope nope", settings=settings)
    assert (await users.get(editor.id)).failed_login_count == 1

    await authenticate(users, login="erin", password=PASSWORD, settings=settings)

    assert (await users.get(editor.id)).failed_login_count == 0


async def test_inactive_users_cannot_log_in(
    users: UserRepository, editor: User, settings: Settings
) -> None:
    await users.update(editor.id, expected_version=editor.version, is_active=False)

    with pytest.raises(InvalidCredentials):
        await authenticate(users, login="erin", password=PASSWORD, settings=settings)


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
