"""A user's second factor and their login challenges; every write is one guarded statement.

Whatever must happen once (a TOTP time step, a recovery code, a challenge) is used by an
`UPDATE … WHERE <still unused> RETURNING`, so two requests racing with the same code or
challenge cannot both succeed: the second finds the row changed and matches nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import any_, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from persistence.ids import new_id
from persistence.repository import Repository
from persistence.two_factor.models import TwoFactorChallenge, UserTwoFactor
from persistence.user import tokens

CHALLENGE_PREFIX = "kh2"


def challenge_organization(secret: str) -> uuid.UUID | None:
    """The organization a challenge's secret names, or None when it is not a challenge."""
    kind, _, rest = secret.partition("_")
    hex_id, _, random_part = rest.partition("_")
    if kind != CHALLENGE_PREFIX or not random_part:
        return None
    try:
        return uuid.UUID(hex=hex_id)
    except ValueError:
        return None


class TwoFactorRepository(Repository[UserTwoFactor]):
    model = UserTwoFactor
    entity = "two-factor"

    def _mine(self, user_id: uuid.UUID) -> list:  # type: ignore[type-arg]
        return [
            UserTwoFactor.organization_id == self.scope.organization_id,
            UserTwoFactor.user_id == user_id,
        ]

    async def for_user(self, user_id: uuid.UUID) -> UserTwoFactor | None:
        """The user's factor, pending or confirmed, if any."""
        stmt = select(UserTwoFactor).where(*self._mine(user_id))
        return (await self.session.scalars(stmt)).first()

    async def confirmed_for(self, user_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these users have a confirmed factor."""
        stmt = select(UserTwoFactor.user_id).where(
            UserTwoFactor.organization_id == self.scope.organization_id,
            UserTwoFactor.user_id.in_(user_ids),
            UserTwoFactor.confirmed_at.is_not(None),
        )
        return set((await self.session.scalars(stmt)).all())

    async def enrol(self, user_id: uuid.UUID, *, secret_sealed: str) -> UserTwoFactor | None:
        """Start (or restart) a pending enrolment; None when a confirmed factor exists."""
        stmt = (
            pg_insert(UserTwoFactor)
            .values(
                organization_id=self.scope.organization_id,
                id=new_id(),
                user_id=user_id,
                secret_sealed=secret_sealed,
            )
            .on_conflict_do_update(
                index_elements=["organization_id", "user_id"],
                set_={
                    "secret_sealed": secret_sealed,
                    "last_used_step": None,
                    "version": UserTwoFactor.version + 1,
                    "updated_at": func.now(),
                },
                where=UserTwoFactor.confirmed_at.is_(None),
            )
            .returning(UserTwoFactor)
        )
        result = await self.session.execute(stmt, execution_options={"populate_existing": True})
        return result.scalars().first()

    async def use_step(self, user_id: uuid.UUID, step: int, *, confirmed: bool) -> bool:
        """Record `step` as used, if it is newer than the last one used; whether it was."""
        stmt = (
            update(UserTwoFactor)
            .where(
                *self._mine(user_id),
                UserTwoFactor.confirmed_at.is_not(None)
                if confirmed
                else UserTwoFactor.confirmed_at.is_(None),
                func.coalesce(UserTwoFactor.last_used_step, -1) < step,
            )
            .values(last_used_step=step, version=UserTwoFactor.version + 1)
            .returning(UserTwoFactor.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def use_recovery_code(self, user_id: uuid.UUID, code_hash: str) -> int | None:
        """Strike a recovery code off; how many are left, or None if it was not there."""
        stmt = (
            update(UserTwoFactor)
            .where(
                *self._mine(user_id),
                UserTwoFactor.confirmed_at.is_not(None),
                literal(code_hash) == any_(UserTwoFactor.recovery_code_hashes),
            )
            .values(
                recovery_code_hashes=func.array_remove(
                    UserTwoFactor.recovery_code_hashes, code_hash
                ),
                version=UserTwoFactor.version + 1,
            )
            .returning(func.cardinality(UserTwoFactor.recovery_code_hashes))
        )
        return (await self.session.execute(stmt)).scalar()

    async def confirm(self, user_id: uuid.UUID, *, recovery_code_hashes: list[str]) -> bool:
        """Turn a pending factor on with its recovery codes; whether one was pending."""
        stmt = (
            update(UserTwoFactor)
            .where(*self._mine(user_id), UserTwoFactor.confirmed_at.is_(None))
            .values(
                confirmed_at=func.now(),
                recovery_code_hashes=recovery_code_hashes,
                version=UserTwoFactor.version + 1,
            )
            .returning(UserTwoFactor.id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def remove(self, user_id: uuid.UUID) -> bool:
        """Forget the user's factor, pending or confirmed, and their open challenges;
        whether there was one."""
        await self.session.execute(
            delete(TwoFactorChallenge).where(
                TwoFactorChallenge.organization_id == self.scope.organization_id,
                TwoFactorChallenge.user_id == user_id,
            )
        )
        stmt = delete(UserTwoFactor).where(*self._mine(user_id)).returning(UserTwoFactor.id)
        return (await self.session.execute(stmt)).first() is not None


class ChallengeRepository(Repository[TwoFactorChallenge]):
    model = TwoFactorChallenge
    entity = "two-factor challenge"

    async def open(
        self, user_id: uuid.UUID, *, now: datetime, ttl: timedelta
    ) -> tuple[str, TwoFactorChallenge]:
        """A new challenge (its secret returned here only); the user's dead ones go."""
        await self.session.execute(
            delete(TwoFactorChallenge).where(
                TwoFactorChallenge.organization_id == self.scope.organization_id,
                TwoFactorChallenge.user_id == user_id,
                (TwoFactorChallenge.expires_at <= now)
                | TwoFactorChallenge.consumed_at.is_not(None),
            )
        )
        secret = tokens.new_secret(CHALLENGE_PREFIX, self.scope.organization_id)
        stmt = (
            insert(TwoFactorChallenge)
            .values(
                self._new_row(
                    {
                        "user_id": user_id,
                        "secret_hash": tokens.hash_secret(secret),
                        "expires_at": now + ttl,
                    }
                )
            )
            .returning(TwoFactorChallenge)
        )
        return secret, (await self.session.execute(stmt)).scalars().one()

    async def live(self, secret: str, *, now: datetime) -> TwoFactorChallenge | None:
        """The unused, unexpired challenge a secret names, if any."""
        stmt = select(TwoFactorChallenge).where(
            TwoFactorChallenge.organization_id == self.scope.organization_id,
            TwoFactorChallenge.secret_hash == tokens.hash_secret(secret),
            TwoFactorChallenge.consumed_at.is_(None),
            TwoFactorChallenge.expires_at > now,
        )
        return (await self.session.scalars(stmt)).first()

    async def consume(self, id: uuid.UUID, *, now: datetime) -> bool:
        """Use a challenge up; False when it was used or expired meanwhile."""
        stmt = (
            update(TwoFactorChallenge)
            .where(
                TwoFactorChallenge.organization_id == self.scope.organization_id,
                TwoFactorChallenge.id == id,
                TwoFactorChallenge.consumed_at.is_(None),
                TwoFactorChallenge.expires_at > now,
            )
            .values(consumed_at=func.now())
            .returning(TwoFactorChallenge.id)
        )
        return (await self.session.execute(stmt)).first() is not None
