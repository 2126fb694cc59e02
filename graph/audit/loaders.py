"""Loaders of the audit trail."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import RepositoryLoader
from persistence.audit.models import AuditEvent
from persistence.audit.repository import AuditRepository
from persistence.scope import Scope


class AuditEventByIdLoader(RepositoryLoader[uuid.UUID, AuditEvent | None]):
    """Only admins read the trail: for anyone else every event is absent."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[AuditEvent | None]:
        if not scope.is_admin:
            return [None] * len(keys)
        return await AuditRepository(session, scope).get_many(keys)
