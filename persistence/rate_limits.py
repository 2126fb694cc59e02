"""Rate limits: cost units per principal in fixed windows, counted in PostgreSQL.

One statement per request both authenticates the caller and spends the operation's cost
(`SPEND_AS_CALLER`): `khub_authenticate` first, which confines the transaction to the
token's organization, then `khub_spend` (migration 0012) on the principal it found — the
API key, else the user — or on the client address when the token opens nothing. An
anonymous caller spends on its address (`SPEND_AS_ADDRESS`). It runs in a short write
transaction of its own, committed before the operation's own transaction begins. See
docs/decisions.md, "Rate limits".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base
from persistence.throttling import Verdict


class RateLimit(Base):
    """Cost spent by one principal in its current window. Not tenant-owned: anonymous
    callers are counted per client address, without an organization."""

    __tablename__ = "rate_limits"
    __table_args__ = (
        Index(
            "uq_rate_limits_key",
            "organization_id",
            "principal",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("spent >= 0", name="spent_non_negative"),
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organizations.id", ondelete="CASCADE")
    )
    principal: Mapped[str] = mapped_column(String(80), nullable=False)
    """`user:<id>` or `api_key:<id>` in an organization; `address:<client address>`."""
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    spent: Mapped[int] = mapped_column(BigInteger, nullable=False)


@dataclass(frozen=True)
class Budget:
    """Cost units a principal may spend per window."""

    units: int
    window_seconds: int


@dataclass(frozen=True)
class Spent(Verdict):
    """A spend's verdict, with what the RateLimit headers tell the client."""

    budget: Budget | None = None
    remaining: int = 0
    reset_seconds: int = 0


SPEND_AS_CALLER = """
SELECT a.*, s.*
  FROM khub_authenticate($1, $2, $3, $4) a,
       LATERAL khub_spend(
           $5,
           a.organization_id,
           CASE WHEN a.id IS NULL THEN 'address:' || $6::text
                WHEN $2 THEN 'api_key:' || a.credential_id
                ELSE 'user:' || a.id END,
           $7, $8, $9) s
"""
"""Authenticate, then spend: `khub_spend` takes the principal from the authentication's row,
so it runs after it, under the organization it set."""

SPEND_AS_ADDRESS = "SELECT * FROM khub_spend($1, NULL, 'address:' || $2::text, $3, $4, $5)"


def spent(row: object, budget: Budget) -> Spent:
    admitted = bool(row.admitted)  # type: ignore[attr-defined]
    reset = int(row.reset_seconds)  # type: ignore[attr-defined]
    return Spent(
        admitted=admitted,
        retry_after=0 if admitted else reset,
        budget=budget,
        remaining=int(row.remaining),  # type: ignore[attr-defined]
        reset_seconds=reset,
    )
