"""The audit trail: written by every mutation, read by admins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from persistence.audit.models import AuditEvent
from persistence.changes import publish
from persistence.relation import AdminOnly, Rows
from persistence.repository import Repository


@dataclass(frozen=True)
class AuditFilter:
    actor_id: uuid.UUID | None = None
    entity_type: str | None = None
    entity_id: uuid.UUID | None = None
    action: str | None = None


class AuditRepository(Repository[AuditEvent]):
    model = AuditEvent
    entity = "audit event"
    sort_keys = {"created_at": AuditEvent.created_at}

    def filters(self, filter: AuditFilter) -> list[Any]:
        return [
            column == value
            for column, value in (
                (AuditEvent.actor_id, filter.actor_id),
                (AuditEvent.entity_type, filter.entity_type),
                (AuditEvent.entity_id, filter.entity_id),
                (AuditEvent.action, filter.action),
            )
            if value is not None
        ]

    async def record(
        self,
        *,
        action: str,
        entity_type: str,
        entity_id: uuid.UUID | None,
        changes: dict[str, Any] | None = None,
        actor_id: uuid.UUID | None = None,
        request_id: str | None = None,
        client_address: str | None = None,
    ) -> AuditEvent:
        """One audit row, in the caller's transaction so it commits or rolls back with it,
        and its change notice for subscribers (`persistence/changes.py`), which does too."""
        event = await self.create(
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            changes=changes or {},
            actor_id=actor_id,
            request_id=request_id,
            client_address=client_address,
        )
        await publish(
            self.session,
            organization_id=event.organization_id,
            audit_event_id=event.id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
        )
        return event


AUDIT_EVENT_BY_ID = AdminOnly(Rows(AuditRepository))
