"""TOTP codes (RFC 6238, pyotp) and recovery codes: making them and checking them.

A TOTP code is accepted in the current 30-second step or one step either side (clock
drift), and the step it matched is returned so that the caller can refuse its reuse.
Recovery codes carry 80 random bits, so a SHA-256 of them (like session tokens) is safe to
store; they are compared without case, spaces or dashes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp

ISSUER = "Knowledge Hub"
RECOVERY_CODE_COUNT = 10
DRIFT_STEPS = 1
_RECOVERY_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32: 5 bits a character
_RECOVERY_LENGTH = 16
_TOTP = re.compile(r"^[0-9]{6}$")
_RECOVERY = re.compile(rf"^[{_RECOVERY_ALPHABET}]{{{_RECOVERY_LENGTH}}}$")


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, account: str) -> str:
    """The `otpauth://totp/…` URI an authenticator app reads (usually from a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=ISSUER)


def matching_step(secret: str, code: str, *, at: datetime) -> int | None:
    """The time step whose code `code` is, within the allowed drift of `at`, or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, shown as `xxxx-xxxx-xxxx-xxxx`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)))
    return codes


def normalise(code: str) -> str:
    """A code as typed, without spaces and dashes, in lower case."""
    return re.sub(r"[\s-]", "", code).lower()


def is_totp(code: str) -> bool:
    return _TOTP.match(code) is not None


def is_recovery(code: str) -> bool:
    return _RECOVERY.match(code) is not None


def hash_recovery_code(code: str) -> str:
    """The hex SHA-256 stored in place of a (normalised) recovery code."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()
