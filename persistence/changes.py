"""Change notices: every audited change announces itself with `pg_notify`, in its own
transaction, so PostgreSQL delivers it to every listening server instance on commit and
never when the transaction (or the savepoint that wrote it) rolls back."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, func, literal, null, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.collection.models import Collection
from persistence.document.models import Document
from persistence.job.models import Job
from persistence.knowledge.models import KnowledgeEdge, KnowledgeNode

CHANNEL = "khub_changes"

CREATED, UPDATED, DELETED, RESTORED = "CREATED", "UPDATED", "DELETED", "RESTORED"
_KINDS = (
    ("Create", CREATED),
    ("Post", CREATED),
    ("Delete", DELETED),
    ("Purge", DELETED),
    ("Restore", RESTORED),
)


def kind_of(action: str) -> str:
    """The change an audited action made: `documentCreate` created, `documentTagsAdd` updated."""
    for suffix, kind in _KINDS:
        if action.endswith(suffix):
            return kind
    return UPDATED


@dataclass(frozen=True)
class Change:
    """One notice as a listener receives it: small, ids only; readers load what they may see."""

    organization_id: uuid.UUID
    audit_event_id: uuid.UUID | None  # None for a job's progress, which is not audited
    entity_type: str
    entity_id: uuid.UUID | None
    kind: str
    version: int | None

    @classmethod
    def parse(cls, payload: str) -> Change:
        data = json.loads(payload)
        return cls(
            organization_id=uuid.UUID(data["o"]),
            audit_event_id=uuid.UUID(data["e"]) if data.get("e") else None,
            entity_type=data["t"],
            entity_id=uuid.UUID(data["i"]) if data.get("i") else None,
            kind=data["k"],
            version=data.get("v"),
        )


VERSIONED: dict[str, Any] = {
    "Document": Document,
    "KnowledgeNode": KnowledgeNode,
    "KnowledgeEdge": KnowledgeEdge,
    "Collection": Collection,
    "Job": Job,
}


async def publish(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    audit_event_id: uuid.UUID | None,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID | None,
) -> None:
    """Announce a change in the caller's transaction; the entity's version as the change
    left it is read in the same statement (null once purged)."""
    head = {
        "o": str(organization_id),
        "e": str(audit_event_id) if audit_event_id else None,
        "t": entity_type,
        "i": str(entity_id) if entity_id else None,
        "k": kind_of(action),
    }
    model = VERSIONED.get(entity_type)
    version: Any = null()
    if model is not None and entity_id is not None:
        version = (
            select(model.version)
            .where(model.organization_id == organization_id, model.id == entity_id)
            .scalar_subquery()
        )
    payload = cast(literal(json.dumps(head)), JSONB).op("||")(func.jsonb_build_object("v", version))
    await session.execute(select(func.pg_notify(CHANNEL, cast(payload, Text))))
