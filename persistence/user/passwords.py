"""Password hashing with bcrypt, always off the event loop.

bcrypt only reads the first 72 bytes of a password. Rather than let two long passwords that
share a prefix collide (silent truncation) or crash, `check_policy` refuses passwords over
72 UTF-8 bytes with a ValidationError when they are set, and `verify` treats such a
password as wrong without hashing it.
"""

from __future__ import annotations

import asyncio
import secrets
from functools import cache

import bcrypt

from persistence.errors import ValidationError

MIN_LENGTH = 8
MAX_BYTES = 72


@cache
def _dummy_hash(rounds: int) -> bytes:
    """A real hash to compare against when the user does not exist, so that "no such user"
    costs the same time as "wrong password"."""
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds=rounds))


def check_policy(password: str) -> None:
    """Refuse passwords that are too short, or longer than bcrypt can tell apart."""
    if len(password) < MIN_LENGTH:
        raise ValidationError("password", f"password must be at least {MIN_LENGTH} characters")
    if len(password.encode()) > MAX_BYTES:
        raise ValidationError("password", f"password must be at most {MAX_BYTES} bytes in UTF-8")


async def hash_password(password: str, *, rounds: int) -> str:
    """bcrypt hash of an accepted password, computed in a worker thread."""
    check_policy(password)
    salt = bcrypt.gensalt(rounds=rounds)
    digest = await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)
    return digest.decode()


async def verify_password(password: str, password_hash: str | None, *, rounds: int) -> bool:
    """Whether `password` matches; pass None for an unknown user to spend the same time."""
    encoded = password.encode()
    too_long = len(encoded) > MAX_BYTES
    if too_long:
        encoded = encoded[:MAX_BYTES]  # hashed for timing only; the result is forced False

    def check() -> bool:
        target = password_hash.encode() if password_hash else _dummy_hash(rounds)
        return bcrypt.checkpw(encoded, target)

    matches = await asyncio.to_thread(check)
    return matches and password_hash is not None and not too_long
