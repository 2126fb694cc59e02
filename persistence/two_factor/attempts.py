"""Second-factor attempts on the login throttle (`persistence/user/throttle.py`).

A user's codes are counted like a login's passwords (per address, per factor at the
address, per factor), under a name no typed login can reach: typed logins are keyed
trimmed and lower-cased (`throttle.normalise`), and this name keeps capitals and spaces.
So nobody can use up a user's allowance of wrong codes by typing logins, and a correct
password does not reset it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.throttling import address_key
from persistence.user import throttle
from persistence.user.models import LoginThrottle


def throttle_login(user_id: uuid.UUID) -> str:
    """The throttle's name for a user's second factor."""
    return f"Second factor of {user_id}"


def keys_for(
    *, organization_id: uuid.UUID, user_id: uuid.UUID, client_address: str | None
) -> throttle.Keys:
    """The keys of one code attempt, in the order they are reserved."""
    address = address_key(client_address)
    name = throttle_login(user_id)
    return throttle.Keys(
        address=throttle.Key(None, "", address),
        login_at_address=throttle.Key(organization_id, name, address),
        login=throttle.Key(organization_id, name, ""),
    )


async def forget(session: AsyncSession, *, organization_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Clear the counts of a user's second factor, from every address."""
    await session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.organization_id == organization_id,
            LoginThrottle.login == throttle_login(user_id),
        )
    )
