"""Login throttling: attempts counted per key in PostgreSQL, with exponential back-off.

An attempt is reserved before its password is checked: each key's check and count is one
`INSERT … ON CONFLICT DO UPDATE … RETURNING`, so concurrent guesses queue on the key's row
and none can slip past a limit. Keys are reserved in a fixed order (client address, then
login at that address, then login from anywhere), stopping at the first that refuses, so a
refused attempt never counts against the login from anywhere: a guesser cannot keep the
real user's account-wide key blocked by hammering it. Keys name the login as typed
(normalised), never the account, so an unknown login is throttled exactly like a real one.
See docs/decisions.md, "Login throttling".
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, func, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import String

from persistence.ids import new_id
from persistence.organization_settings import OrganizationSettings, settings_for
from persistence.settings import Settings
from persistence.throttling import Verdict, address_key, seconds_until
from persistence.user.models import LoginThrottle

SLUG_MAX = 63
LOGIN_MAX = 320
"""Longer logins cannot name an account (emails stop at 320 characters) and are refused."""


@dataclass(frozen=True)
class Policy:
    """How many attempts each key admits before back-off, and how the back-off grows."""

    per_login_and_address: int
    per_login: int
    per_address: int
    backoff_seconds: int
    backoff_max_seconds: int
    forget_seconds: int
    known_address_seconds: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            per_login_and_address=settings.login_max_failures,
            per_login=settings.login_account_max_failures,
            per_address=settings.login_address_max_failures,
            backoff_seconds=settings.login_backoff_seconds,
            backoff_max_seconds=settings.login_backoff_max_seconds,
            forget_seconds=settings.login_forget_seconds,
            known_address_seconds=settings.login_known_address_days * 24 * 3600,
        )

    def governed_by(self, organization: OrganizationSettings) -> Policy:
        """This policy with the organization's own thresholds where it set them. The
        per-address limit spans organizations and stays the server's."""
        return dataclasses.replace(
            self,
            per_login_and_address=organization.login_max_failures or self.per_login_and_address,
            per_login=organization.login_account_max_failures or self.per_login,
        )


async def policy_for(
    session: AsyncSession, settings: Settings, organization_id: uuid.UUID | None
) -> Policy:
    """The policy of attempts on an organization's logins: the server's, under the
    organization's thresholds when it is known (an unknown one gets the server's)."""
    policy = Policy.from_settings(settings)
    if organization_id is None:
        return policy
    return policy.governed_by(await settings_for(session, organization_id))


@dataclass(frozen=True)
class Key:
    """One counter: `login` is '' for a per-address key, `client_address` '' for a
    login's key from anywhere."""

    organization_id: uuid.UUID | None
    login: str
    client_address: str


@dataclass(frozen=True)
class Keys:
    """The three keys of one attempt, in the order they are reserved."""

    address: Key
    login_at_address: Key
    login: Key


@dataclass(frozen=True)
class Reservation(Verdict):
    counted: tuple[Key, ...] = ()
    """The keys this attempt was counted on."""


def normalise(login: str) -> str:
    """The login as keys and lookups compare it: trimmed, case-folded like the database."""
    return login.strip().lower()


def keys_for(
    *,
    organization_id: uuid.UUID | None,
    organization: str | None,
    login: str,
    client_address: str | None,
) -> Keys:
    """The keys of an attempt. An organization that does not exist is keyed by the slug as
    given (cut to the longest a slug can be), without an organization, so it is throttled
    like a real one."""
    name = normalise(login)
    if organization_id is None:
        name = f"{normalise(organization or '')[:SLUG_MAX]}/{name}"
    address = address_key(client_address)
    return Keys(
        address=Key(None, "", address),
        login_at_address=Key(organization_id, name, address),
        login=Key(organization_id, name, ""),
    )


_BLOCKED = "coalesce(t.blocked_until > now(), false)"
_COUNT = (
    f"CASE WHEN {_BLOCKED} THEN t.failures"
    " WHEN t.updated_at < now() - make_interval(secs => :forget) THEN 1"
    " ELSE t.failures + 1 END"
)


def _delay(count: str) -> str:
    """The back-off after the `count`-th attempt: doubling from the limit on, capped."""
    return (
        "make_interval(secs => least("
        f":backoff * power(2, least(({count}) - :limit, 30)), :backoff_max))"
    )


RESERVE = text(
    f"""
    INSERT INTO login_throttles AS t
        (id, organization_id, login, client_address, failures, blocked_until, admitted)
    VALUES (:id, :organization_id, :login, :client_address, 1,
            CASE WHEN 1 >= :limit THEN now() + {_delay("1")} END, true)
    ON CONFLICT (organization_id, login, client_address) DO UPDATE SET
        failures = {_COUNT},
        blocked_until = CASE
            WHEN {_BLOCKED} THEN t.blocked_until
            WHEN {_COUNT} >= :limit THEN now() + {_delay(_COUNT)}
        END,
        admitted = NOT {_BLOCKED},
        updated_at = CASE WHEN {_BLOCKED} THEN t.updated_at ELSE now() END
    RETURNING admitted,
              coalesce(succeeded_at > now() - make_interval(secs => :known_address), false)
                  AS known,
              {seconds_until("blocked_until")} AS retry_after
    """
)


async def _reserve_one(session: AsyncSession, key: Key, *, limit: int, policy: Policy) -> Any:
    params = {
        "id": new_id(),
        "organization_id": key.organization_id,
        "login": key.login,
        "client_address": key.client_address,
        "limit": limit,
        "backoff": policy.backoff_seconds,
        "backoff_max": policy.backoff_max_seconds,
        "forget": policy.forget_seconds,
        "known_address": policy.known_address_seconds,
    }
    return (await session.execute(RESERVE, params)).one()


async def reserve(session: AsyncSession, keys: Keys, *, policy: Policy) -> Reservation:
    """Count an attempt on each key, or refuse it at the first key that is backing off.

    A login's key from anywhere is skipped at an address where it recently succeeded, so
    guessing from elsewhere cannot lock the real user out of their usual address.
    """
    counted: list[Key] = []
    steps = (
        (keys.address, policy.per_address),
        (keys.login_at_address, policy.per_login_and_address),
        (keys.login, policy.per_login),
    )
    for key, limit in steps:
        row = await _reserve_one(session, key, limit=limit, policy=policy)
        if not row.admitted:
            return Reservation(False, row.retry_after, tuple(counted))
        counted.append(key)
        if key == keys.login_at_address and row.known:
            break
    return Reservation(True, 0, tuple(counted))


def _matches(key: Key) -> Any:
    return and_(
        LoginThrottle.organization_id.is_not_distinct_from(key.organization_id),
        LoginThrottle.login == key.login,
        LoginThrottle.client_address == key.client_address,
    )


async def succeeded(session: AsyncSession, keys: Keys, reservation: Reservation) -> None:
    """A right password: reset its own key (the login at this address) and give back the
    attempt it reserved on the others, which count failures only. Rows are updated in the
    order `reserve` locks them, so the two cannot deadlock."""
    own = keys.login_at_address
    for key in (keys.address, keys.login_at_address, keys.login):
        if key == own:
            values: dict[str, Any] = {
                "failures": 0,
                "blocked_until": None,
                "succeeded_at": func.now(),
            }
        elif key in reservation.counted:
            values = {"failures": func.greatest(LoginThrottle.failures - 1, 0)}
        else:
            continue
        await session.execute(update(LoginThrottle).where(_matches(key)).values(**values))


UNLOCK = text(
    """
    DELETE FROM login_throttles
    WHERE organization_id = :organization_id AND login = ANY(:logins)
    """
).bindparams(bindparam("logins", type_=ARRAY(String())))


async def unlock(
    session: AsyncSession, *, organization_id: uuid.UUID, logins: Sequence[str]
) -> int:
    """Forget every count of these logins in one organization (from any address)."""
    params = {"organization_id": organization_id, "logins": [normalise(x) for x in logins]}
    return (await session.execute(UNLOCK, params)).rowcount
