"""Throttle counters: what each attempt counts, on which keys, and when counts end."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.scope import Scope
from persistence.user import throttle
from persistence.user.models import LoginThrottle

POLICY = throttle.Policy(
    per_login_and_address=3,
    per_login=5,
    per_address=100,
    backoff_seconds=30,
    backoff_max_seconds=900,
    forget_seconds=3600,
    known_address_seconds=30 * 86400,
)


@pytest.fixture
def keys(scope: Scope) -> throttle.Keys:
    return throttle.keys_for(
        organization_id=scope.organization_id,
        organization=None,
        login=" Erin ",
        client_address="192.0.2.1",
    )


MINE = "(login = 'erin' OR client_address = '192.0.2.1')"
"""This test's rows (other tests' committed rows share the table)."""


async def counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = (await session.scalars(select(LoginThrottle).where(text(MINE)))).all()
    return {(row.login, row.client_address): row.failures for row in rows}


async def test_keys_name_the_login_as_typed_and_unknown_organizations_by_slug() -> None:
    unknown = throttle.keys_for(
        organization_id=None, organization="Nope", login="ERIN", client_address=None
    )

    assert unknown.login == throttle.Key(None, "nope/erin", "")
    assert unknown.login_at_address == throttle.Key(None, "nope/erin", "unknown")
    assert unknown.address == throttle.Key(None, "", "unknown")


async def test_a_refused_attempt_counts_only_on_the_keys_before_the_refusing_one(
    session: AsyncSession, keys: throttle.Keys
) -> None:
    """Hammering one address never pushes the login's counter from anywhere: the real user
    elsewhere stays unaffected."""
    results = [await throttle.reserve(session, keys, policy=POLICY) for _ in range(6)]

    assert [r.admitted for r in results] == [True, True, True, False, False, False]
    assert results[-1].retry_after == 30
    assert await counts(session) == {
        ("", "192.0.2.1"): 6,
        ("erin", "192.0.2.1"): 3,
        ("erin", ""): 3,
    }


async def test_a_success_resets_its_own_key_and_gives_back_its_attempt_elsewhere(
    session: AsyncSession, keys: throttle.Keys
) -> None:
    await throttle.reserve(session, keys, policy=POLICY)
    reservation = await throttle.reserve(session, keys, policy=POLICY)

    await throttle.succeeded(session, keys, reservation)

    assert await counts(session) == {
        ("", "192.0.2.1"): 1,
        ("erin", "192.0.2.1"): 0,
        ("erin", ""): 1,
    }


async def test_at_an_address_that_succeeded_the_login_from_anywhere_is_skipped(
    session: AsyncSession, keys: throttle.Keys
) -> None:
    await throttle.succeeded(session, keys, await throttle.reserve(session, keys, policy=POLICY))
    strict = replace(POLICY, per_login=1)
    await session.execute(
        text(
            "UPDATE login_throttles SET failures = 1, blocked_until = now() + interval '1 hour'"
            " WHERE login = 'erin' AND client_address = ''"
        )
    )

    reservation = await throttle.reserve(session, keys, policy=strict)

    assert reservation.admitted
    assert reservation.counted == (keys.address, keys.login_at_address)


async def test_counts_are_forgotten_after_a_quiet_period(
    session: AsyncSession, keys: throttle.Keys
) -> None:
    for _ in range(3):
        await throttle.reserve(session, keys, policy=POLICY)
    await session.execute(
        text(
            "UPDATE login_throttles SET updated_at = now() - interval '2 hours',"
            f" blocked_until = now() - interval '1 hour' WHERE {MINE}"
        )
    )

    assert (await throttle.reserve(session, keys, policy=POLICY)).admitted
    assert (await counts(session))[("erin", "192.0.2.1")] == 1
