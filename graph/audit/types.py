"""Audit events as GraphQL types."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.audit.loaders import AuditEventByIdLoader
from graph.core.loaders import global_id_of, related
from graph.core.nodes import LoadedNode
from graph.core.types import RowType
from graph.user.loaders import UserOnRecordByIdLoader
from graph.user.types import User
from persistence.audit import models


@strawberry.type(description="One mutation, as the audit trail recorded it.")
class AuditEvent(RowType, LoadedNode):
    model = models.AuditEvent
    loader = AuditEventByIdLoader

    id: relay.NodeID[str]
    action: str = strawberry.field(description="The mutation, e.g. documentUpdate.")
    entity_type: str = strawberry.field(description="The kind of row changed, e.g. Document.")
    entity_id: str | None = global_id_of(
        "entity_type", "entity_id", description="The global id of the row changed."
    )
    changes: JSON = strawberry.field(
        description="Changed fields as {field: {old, new}}; secrets are never recorded."
    )
    request_id: str | None = strawberry.field(description="The request, to find it in logs.")
    client_address: str | None = strawberry.field(description="Where the request came from.")
    created_at: datetime = strawberry.field(description="When it happened.")
    actor: User | None = related(UserOnRecordByIdLoader, key="actor_id", description="Who did it.")
