"""TOTP secrets sealed at rest with Fernet (AES-128-CBC + HMAC-SHA256) under rotating keys.

`KHUB_SECRET_KEYS` lists Fernet keys, comma-separated: the first seals, every one opens, so
a new key goes first, `khub rotate-secrets` re-seals every stored secret under it, and the
old key can then be dropped. A sealed secret carries the id of the user it belongs to, so a
secret copied onto another user's row does not open there.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEYS_ENV = "KHUB_SECRET_KEYS"
GENERATE_HINT = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


class UnreadableSecret(Exception):
    """A sealed secret that none of the keys opens, or that belongs to another user."""


def parse_keys(raw: str | None) -> tuple[str, ...]:
    """The keys of a KHUB_SECRET_KEYS value; ValueError names a malformed one (not its text)."""
    keys = tuple(k.strip() for k in (raw or "").split(",") if k.strip())
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ValueError(
                f"{KEYS_ENV}: key {number} is not a Fernet key (32 url-safe base64-encoded "
                f"bytes); make one with {GENERATE_HINT}"
            ) from None
    return keys


class SecretCipher:
    """Seals and opens secrets under the configured keys (at least one)."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a SecretCipher needs at least one key")
        self._first = Fernet(keys[0])
        self._all = MultiFernet([Fernet(k) for k in keys])

    def seal(self, secret: str, *, owner: uuid.UUID) -> str:
        """The secret encrypted under the first key, bound to its owner."""
        return self._all.encrypt(f"{owner}:{secret}".encode()).decode()

    def open(self, sealed: str, *, owner: uuid.UUID) -> str:
        """The secret sealed for `owner`; UnreadableSecret if no key opens it or it is not
        theirs."""
        try:
            plain = self._all.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise UnreadableSecret("no configured key opens this secret") from None
        bound, _, secret = plain.partition(":")
        if bound != str(owner):
            raise UnreadableSecret("this secret was sealed for another user")
        return secret

    def is_current(self, sealed: str) -> bool:
        """Whether the first key alone opens it (rotation leaves such secrets be)."""
        try:
            self._first.decrypt(sealed.encode())
        except InvalidToken:
            return False
        return True

    def reseal(self, sealed: str) -> str:
        """The same secret sealed under the first key; UnreadableSecret if no key opens it."""
        try:
            return self._all.rotate(sealed.encode()).decode()
        except InvalidToken:
            raise UnreadableSecret("no configured key opens this secret") from None


def cipher_for(keys: Sequence[str]) -> SecretCipher | None:
    """The cipher of the configured keys, or None when none is set."""
    return SecretCipher(keys) if keys else None
