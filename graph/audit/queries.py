"""The audit trail, for admins."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.audit.types import AuditEvent
from graph.core.arguments import FILTER, ORDER, After, Before, First, Last
from graph.core.ids import query_row_id
from graph.core.pagination import Connection, OrderDirection, RootList
from graph.core.permissions import IsAdmin
from persistence.audit import repository
from persistence.audit.repository import AuditRepository
from persistence.pagination import Order


@strawberry.input(description="Which audit events to list; all conditions must hold.")
class AuditEventFilter:
    actor_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only by this user."
    )
    entity_type: str | None = strawberry.field(default=None, description="e.g. Document.")
    action: str | None = strawberry.field(default=None, description="e.g. documentUpdate.")

    def to_domain(self) -> repository.AuditFilter:
        return repository.AuditFilter(
            actor_id=query_row_id(self.actor_id, "User", field="actorId"),
            entity_type=self.entity_type,
            action=self.action,
        )


AUDIT_EVENTS = RootList(
    AuditRepository,
    lambda args: Order("created_at", descending=args["direction"] == OrderDirection.DESC),
)


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="What was changed, by whom and when (admins only).",
        permission_classes=[IsAdmin],
        metadata=AUDIT_EVENTS.metadata,
    )
    async def audit_events(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[AuditEventFilter | None, FILTER] = None,
        direction: Annotated[OrderDirection, ORDER] = OrderDirection.DESC,
    ) -> Connection[AuditEvent]:
        return await AUDIT_EVENTS.resolve(
            info,
            {
                "first": first,
                "after": after,
                "last": last,
                "before": before,
                "filter": filter,
                "direction": direction,
            },
        )
