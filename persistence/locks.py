"""The per-organization lock that keeps invariants spanning many rows true under concurrency.

Some rules are about a set of rows, not one: an organization keeps an active admin, the
collection tree has no cycle. Two transactions that each check such a rule and then write
can both pass the check and together break it. Every write that could break one of them
first takes this lock, then checks, then writes; the lock is held to the end of the
transaction, so those writes run one after another within an organization.

It is a transaction-level advisory lock: it needs no privilege (the application role may
only SELECT `organizations`, and `FOR UPDATE` needs UPDATE), locks no row that readers or
other writers use, is released by commit or rollback, and works behind PgBouncer in
transaction mode. Taking it again in the same transaction is free, so the several mutation
fields of one operation never wait for themselves.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# The first key of the two-key advisory lock ("khub"), so no other advisory lock user collides.
NAMESPACE = 0x6B687562


def organization_key(organization_id: uuid.UUID) -> int:
    """The organization's second key: 32 bits of its id (sharing one costs waiting, not safety)."""
    return int.from_bytes(organization_id.bytes[-4:], "big", signed=True)


async def lock_organization(session: AsyncSession, organization_id: uuid.UUID) -> None:
    """Wait for, then hold until the transaction ends, the organization's invariant lock.

    Callers check their rule *after* this returns: mutations run READ COMMITTED, so that
    check sees everything committed by whoever held the lock before.
    """
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:namespace, :organization)"),
        {"namespace": NAMESPACE, "organization": organization_key(organization_id)},
    )
