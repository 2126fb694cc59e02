"""`User.recentQueries`: the retrieval calls a user made, newest first — for that user only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph.core.arguments import After, Before, First, Last
from graph.core.pagination import Connection, paginate
from graph.core.permissions import _RoleRule
from persistence.pagination import Order
from persistence.retrieval.repository import RetrievalQueryFilter, RetrievalQueryRepository

if TYPE_CHECKING:
    from graph.retrieval.types import RetrievalQuery

RetrievalQueryRef = Annotated["RetrievalQuery", strawberry.lazy("graph.retrieval.types")]
NEWEST_FIRST = Order("created_at", descending=True)


class IsSelf(_RoleRule):
    """A user's own history: not even admins read it here (they have the insights)."""

    message = "only the user may read their own queries"

    def allows(self, viewer: Any, source: Any) -> bool:
        return str(source.id) == str(viewer.user_id)


async def resolve(
    root: Any,
    info: strawberry.Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[RetrievalQueryRef]:
    return await paginate(
        info,
        RetrievalQueryRepository,
        first=first,
        after=after,
        last=last,
        before=before,
        order=NEWEST_FIRST,
        filter=RetrievalQueryFilter(user_id=root.id),
    )


recent_queries = strawberry.field(
    resolver=resolve,
    description="The searchDocuments and similarNodes calls this user made, newest first; "
    "only the user may read them (`viewer { recentQueries }`).",
    permission_classes=[IsSelf],
)
