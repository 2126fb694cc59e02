"""What subscriptions deliver: the kind of change, the entity as the subscriber may see it
now, and the version the change left it at."""

from __future__ import annotations

import enum

import strawberry
from strawberry import relay

from graph.audit.types import AuditEvent
from graph.document.types import Document
from graph.knowledge.types import KnowledgeEdge, KnowledgeNode


@strawberry.enum(description="What happened to an entity, or that some changes were missed.")
class ChangeKind(enum.Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    RESTORED = "RESTORED"
    MISSED_EVENTS = strawberry.enum_value(
        "MISSED_EVENTS",
        description="The server lost its database connection for a while and changes made "
        "meanwhile were not delivered: refetch what you show. The entity is null.",
    )


@strawberry.input(description="Which document changes to receive; all given conditions hold.")
class DocumentChangeFilter:
    collection_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only documents directly in this collection."
    )
    tag_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Only documents with any of these tags."
    )
    ids: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Only these documents."
    )


@strawberry.type(description="A document changed.")
class DocumentChange:
    kind: ChangeKind = strawberry.field(description="What happened.")
    document: Document | None = strawberry.field(
        description="The document as you may see it now (deleted ones too, for DELETED); "
        "null only for MISSED_EVENTS."
    )
    version: int | None = strawberry.field(
        description="Its version as the change left it (null for MISSED_EVENTS)."
    )


@strawberry.type(description="A knowledge node or edge changed.")
class KnowledgeGraphChange:
    kind: ChangeKind = strawberry.field(description="What happened.")
    node: KnowledgeNode | None = strawberry.field(description="The node, when a node changed.")
    edge: KnowledgeEdge | None = strawberry.field(description="The edge, when an edge changed.")
    version: int | None = strawberry.field(
        description="The entity's version as the change left it (null for MISSED_EVENTS)."
    )


@strawberry.type(description="A mutation was recorded in the audit trail.")
class AuditEventAdded:
    kind: ChangeKind = strawberry.field(description="CREATED, or MISSED_EVENTS.")
    audit_event: AuditEvent | None = strawberry.field(
        description="The recorded event; null only for MISSED_EVENTS."
    )
