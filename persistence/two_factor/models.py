"""A user's second factor (sealed TOTP secret, recovery codes) and pending login challenges."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, TenantMixin, VersionedMixin


def _user_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "user_id"], ["users.organization_id", "users.id"], ondelete="CASCADE"
    )


class UserTwoFactor(TenantMixin, VersionedMixin, Base):
    """One user's TOTP factor: pending until `confirmed_at`, then asked for at every login.

    `secret_sealed` is the secret encrypted with an authenticated cipher and bound to the
    user (`persistence/two_factor/cipher.py`); the database never holds it in plain text.
    `last_used_step` is the newest TOTP time step accepted, so a code is used once only.
    """

    __tablename__ = "user_two_factors"
    __table_args__ = (
        _user_fk(),
        UniqueConstraint("organization_id", "user_id"),
        CheckConstraint("last_used_step >= 0", name="last_used_step_non_negative"),
        CheckConstraint(
            "cardinality(recovery_code_hashes) <= 10", name="recovery_codes_at_most_10"
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    secret_sealed: Mapped[str] = mapped_column(Text, nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    recovery_code_hashes: Mapped[list[str]] = mapped_column(
        ARRAY(String(64)), nullable=False, server_default=text("'{}'")
    )


class TwoFactorChallenge(TenantMixin, Base):
    """A password checked, a second factor still owed: single use, short-lived, hashed."""

    __tablename__ = "two_factor_challenges"
    __table_args__ = (
        _user_fk(),
        UniqueConstraint("organization_id", "secret_hash"),
        Index("ix_two_factor_challenges_user", "organization_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
