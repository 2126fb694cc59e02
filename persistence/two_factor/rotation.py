"""Re-sealing every stored secret under the first key, and the start-up check on the keys.

Both run as the owner (the CLI, `khub serve`'s preparation), which row-level security does
not confine, so they see every organization's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, text, tuple_
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from persistence.database import Database
from persistence.two_factor.cipher import (
    GENERATE_HINT,
    KEYS_ENV,
    SecretCipher,
    UnreadableSecret,
    cipher_for,
)
from persistence.two_factor.models import UserTwoFactor

BATCH = 500


class SecretKeysError(Exception):
    """The configured keys cannot serve the two-factor data that exists."""


@dataclass(frozen=True)
class Rotation:
    examined: int
    resealed: int


RESEAL = text(
    """
    UPDATE user_two_factors AS f SET secret_sealed = n.sealed, updated_at = now()
    FROM unnest(:ids, :old, :new) AS n(id, old, sealed)
    WHERE f.id = n.id AND f.secret_sealed = n.old
    """
).bindparams(
    bindparam("ids", type_=ARRAY(UUID(as_uuid=True))),
    bindparam("old", type_=ARRAY(Text())),
    bindparam("new", type_=ARRAY(Text())),
)
"""Compare-and-set: a secret re-enrolled meanwhile (already under the first key) is kept."""


async def _batch(session: AsyncSession, after: tuple | None, size: int) -> list:  # type: ignore[type-arg]
    key = tuple_(UserTwoFactor.organization_id, UserTwoFactor.id)
    stmt = select(UserTwoFactor.organization_id, UserTwoFactor.id, UserTwoFactor.secret_sealed)
    if after is not None:
        stmt = stmt.where(key > tuple_(*after))
    stmt = stmt.order_by(UserTwoFactor.organization_id, UserTwoFactor.id).limit(size)
    return list((await session.execute(stmt)).all())


async def rotate_secrets(db: Database, cipher: SecretCipher, *, batch: int = BATCH) -> Rotation:
    """Re-seal every secret not already under the first key, one transaction per batch;
    running it again changes nothing. UnreadableSecret if a secret opens under no key."""
    examined = resealed = 0
    after = None
    while True:
        async with db.transaction() as session:
            rows = await _batch(session, after, batch)
            if not rows:
                return Rotation(examined, resealed)
            stale = [r for r in rows if not cipher.is_current(r.secret_sealed)]
            if stale:
                params = {
                    "ids": [r.id for r in stale],
                    "old": [r.secret_sealed for r in stale],
                    "new": [cipher.reseal(r.secret_sealed) for r in stale],
                }
                resealed += (await session.execute(RESEAL, params)).rowcount
        examined += len(rows)
        after = (rows[-1].organization_id, rows[-1].id)


async def check_secret_keys(db: Database, keys: tuple[str, ...]) -> None:
    """Refuse to start when two-factor data exists that the keys cannot open: none set,
    or none that opens a stored secret (a key dropped before `khub rotate-secrets`)."""
    async with db.transaction(read_only=True) as session:
        sample = (
            await session.execute(
                select(UserTwoFactor.user_id, UserTwoFactor.secret_sealed).limit(1)
            )
        ).first()
    if sample is None:
        return
    cipher = cipher_for(keys)
    if cipher is None:
        raise SecretKeysError(
            f"two-factor secrets are stored but {KEYS_ENV} is not set: set it to the keys "
            f"they were sealed with (a new key is made with {GENERATE_HINT})"
        )
    try:
        cipher.open(sample.secret_sealed, owner=sample.user_id)
    except UnreadableSecret:
        raise SecretKeysError(
            f"{KEYS_ENV} does not open the stored two-factor secrets: add back the key they "
            "were sealed with (after `khub rotate-secrets` the old key may go)"
        ) from None
