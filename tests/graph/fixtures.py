"""Helpers shared by API tests: global ids and audit lookups."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from strawberry.relay import from_base64, to_base64

from persistence.audit.models import AuditEvent
from persistence.database import Database


def gid(type_name: str, id: uuid.UUID) -> str:
    return to_base64(type_name, id)


def row_id(global_id: str) -> uuid.UUID:
    return uuid.UUID(from_base64(global_id)[1])


async def audit_events(database: Database, entity_id: uuid.UUID) -> list[AuditEvent]:
    """The audit rows written for one entity, oldest first."""
    async with database.transaction() as session:
        stmt = (
            select(AuditEvent)
            .where(AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
        return list((await session.scalars(stmt)).all())


def only(result: dict[str, Any], field: str) -> dict[str, Any]:
    """The one mutation payload of a result with no GraphQL errors."""
    assert "errors" not in result, result.get("errors")
    return result["data"][field]
