"""Root query fields of the knowledge graph."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.pagination import Connection, order_of, paginate
from graph.core.permissions import IsAuthenticated
from graph.document.queries import admin_only_deleted
from graph.knowledge.inputs import (
    KnowledgeEdgeFilter,
    KnowledgeEdgeOrder,
    KnowledgeNodeFilter,
    KnowledgeNodeOrder,
)
from graph.knowledge.types import KnowledgeEdge, KnowledgeNode
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository


@strawberry.type
class KnowledgeQueries:
    @strawberry.field(
        description="Nodes of the knowledge graph.", permission_classes=[IsAuthenticated]
    )
    async def knowledge_nodes(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[KnowledgeNodeFilter | None, FILTER] = None,
        order_by: Annotated[KnowledgeNodeOrder | None, ORDER] = None,
        include_deleted: IncludeDeleted = False,
    ) -> Connection[KnowledgeNode]:
        return await paginate(
            info,
            KnowledgeNodeRepository,
            first=first,
            after=after,
            last=last,
            before=before,
            order=order_of(order_by),
            filter=filter.to_domain() if filter else None,
            include_deleted=admin_only_deleted(info, include_deleted),
        )

    @strawberry.field(
        description="Edges of the knowledge graph.", permission_classes=[IsAuthenticated]
    )
    async def knowledge_edges(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[KnowledgeEdgeFilter | None, FILTER] = None,
        order_by: Annotated[KnowledgeEdgeOrder | None, ORDER] = None,
        include_deleted: IncludeDeleted = False,
    ) -> Connection[KnowledgeEdge]:
        return await paginate(
            info,
            KnowledgeEdgeRepository,
            first=first,
            after=after,
            last=last,
            before=before,
            order=order_of(order_by),
            filter=filter.to_domain() if filter else None,
            include_deleted=admin_only_deleted(info, include_deleted),
        )
