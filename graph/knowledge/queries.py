"""Root query fields of the knowledge graph."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.pagination import Connection, RootList, ordered_by
from graph.core.permissions import IsAuthenticated
from graph.knowledge.inputs import (
    KnowledgeEdgeFilter,
    KnowledgeEdgeOrder,
    KnowledgeNodeFilter,
    KnowledgeNodeOrder,
)
from graph.knowledge.types import KnowledgeEdge, KnowledgeNode
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository

NODES = RootList(KnowledgeNodeRepository, ordered_by("created_at"))
EDGES = RootList(KnowledgeEdgeRepository, ordered_by("created_at"))


@strawberry.type
class KnowledgeQueries:
    @strawberry.field(
        description="Nodes of the knowledge graph.",
        permission_classes=[IsAuthenticated],
        metadata=NODES.metadata,
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
        return await NODES.resolve(
            info,
            {
                "first": first,
                "after": after,
                "last": last,
                "before": before,
                "filter": filter,
                "order_by": order_by,
                "include_deleted": include_deleted,
            },
        )

    @strawberry.field(
        description="Edges of the knowledge graph.",
        permission_classes=[IsAuthenticated],
        metadata=EDGES.metadata,
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
        return await EDGES.resolve(
            info,
            {
                "first": first,
                "after": after,
                "last": last,
                "before": before,
                "filter": filter,
                "order_by": order_by,
                "include_deleted": include_deleted,
            },
        )
