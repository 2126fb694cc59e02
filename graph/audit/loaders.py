"""Loaders of the audit trail."""

from __future__ import annotations

from graph.core.loaders import RelationLoader
from persistence.audit.repository import AUDIT_EVENT_BY_ID


class AuditEventByIdLoader(RelationLoader):
    """Only admins read the trail: for anyone else every event is absent."""

    relation = AUDIT_EVENT_BY_ID
