"""Checking a second-factor code the way passwords are checked.

Every code check is first reserved on the login throttle, keyed by the user's second factor
(`persistence/two_factor/attempts.py`), in a short transaction of its own that commits
whatever follows: wrong codes back off like wrong passwords. The code is then matched in Python; the
caller spends it (`spend`) in its own transaction, where a replay matches nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.errors import ValidationError
from graph.two_factor.types import TwoFactorThrottled
from persistence.scope import Scope
from persistence.two_factor import attempts, clock, codes
from persistence.two_factor.cipher import cipher_for
from persistence.two_factor.models import UserTwoFactor
from persistence.two_factor.repository import TwoFactorRepository
from persistence.user import throttle

MAX_CODE = 64


@dataclass(frozen=True)
class Throttled:
    retry_after: int


@dataclass(frozen=True)
class Wrong:
    pass


@dataclass(frozen=True)
class Proof:
    """A code that matched: the time step it names, or the recovery code's hash."""

    user_id: uuid.UUID
    keys: throttle.Keys
    reservation: throttle.Reservation
    step: int | None = None
    recovery_hash: str | None = None


def refused(code: str) -> ValidationError | None:
    """A code no factor can match, refused before the database: six digits, or a
    recovery code."""
    plain = codes.normalise(code[:MAX_CODE])
    if len(code) > MAX_CODE or not (codes.is_totp(plain) or codes.is_recovery(plain)):
        return ValidationError(
            message="the code must be the authenticator's six digits or a recovery code",
            field="code",
        )
    return None


def throttled(verdict: Throttled) -> TwoFactorThrottled:
    return TwoFactorThrottled(
        message=f"too many wrong codes; try again in {verdict.retry_after} seconds",
        retry_after=verdict.retry_after,
    )


async def check(
    context: Any,
    *,
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    code: str,
    confirmed: bool = True,
) -> Proof | Throttled | Wrong:
    """Reserve the attempt, then match `code` against the user's factor (a pending one when
    `confirmed` is False, which takes no recovery code)."""
    settings = context.db.settings
    keys = attempts.keys_for(
        organization_id=organization_id, user_id=user_id, client_address=context.client_address
    )
    async with context.operation.apart(organization_id) as session:
        reservation = await throttle.reserve(
            session, keys, policy=throttle.Policy.from_settings(settings)
        )
        factor = await TwoFactorRepository(session, Scope.system(organization_id)).for_user(user_id)
    if not reservation.admitted:
        return Throttled(reservation.retry_after)
    if factor is None or (factor.confirmed_at is not None) != confirmed:
        return Wrong()
    plain = codes.normalise(code)
    if codes.is_recovery(plain):
        if not confirmed or codes.hash_recovery_code(plain) not in factor.recovery_code_hashes:
            return Wrong()
        return Proof(user_id, keys, reservation, recovery_hash=codes.hash_recovery_code(plain))
    step = codes.matching_step(_secret(settings, factor), plain, at=clock.now())
    if step is None or (factor.last_used_step is not None and step <= factor.last_used_step):
        return Wrong()
    return Proof(user_id, keys, reservation, step=step)


def _secret(settings: Any, factor: UserTwoFactor) -> str:
    cipher = cipher_for(settings.secret_keys)
    if cipher is None:  # refused at start-up while two-factor data exists
        raise RuntimeError("two-factor secrets are stored but KHUB_SECRET_KEYS is not set")
    return cipher.open(factor.secret_sealed, owner=factor.user_id)


async def spend(
    session: AsyncSession, scope: Scope, proof: Proof, *, confirmed: bool = True
) -> bool:
    """Use the code up, in the caller's transaction, and clear the throttle's count; False
    when a concurrent request used it first."""
    factors = TwoFactorRepository(session, scope)
    if proof.recovery_hash is not None:
        used = await factors.use_recovery_code(proof.user_id, proof.recovery_hash) is not None
    else:
        assert proof.step is not None
        used = await factors.use_step(proof.user_id, proof.step, confirmed=confirmed)
    if used:
        await throttle.succeeded(session, proof.keys, proof.reservation)
    return used
