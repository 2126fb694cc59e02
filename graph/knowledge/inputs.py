"""Arguments of the knowledge graph queries."""

from __future__ import annotations

import enum

import strawberry
from strawberry import relay

from graph.core.ids import query_row_id
from graph.core.pagination import OrderDirection
from persistence.knowledge import repository


@strawberry.enum(description="What knowledge nodes can be ordered by.")
class KnowledgeNodeOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    LABEL = "label"


@strawberry.input(description="The order of a node list.")
class KnowledgeNodeOrder:
    field: KnowledgeNodeOrderField = strawberry.field(
        default=KnowledgeNodeOrderField.CREATED_AT, description="The sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Which nodes to list; all conditions must hold.")
class KnowledgeNodeFilter:
    node_type: str | None = strawberry.field(default=None, description="Only this node type.")
    label_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the label."
    )
    source_document_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only nodes taken from this document."
    )

    def to_domain(self) -> repository.NodeFilter:
        return repository.NodeFilter(
            node_type=self.node_type,
            search=self.label_contains,
            source_document_id=query_row_id(
                self.source_document_id, "Document", field="sourceDocumentId"
            ),
        )


@strawberry.enum(description="What knowledge edges can be ordered by.")
class KnowledgeEdgeOrderField(enum.Enum):
    CREATED_AT = "created_at"
    WEIGHT = "weight"


@strawberry.input(description="The order of an edge list.")
class KnowledgeEdgeOrder:
    field: KnowledgeEdgeOrderField = strawberry.field(
        default=KnowledgeEdgeOrderField.CREATED_AT, description="The sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Which edges to list; all conditions must hold.")
class KnowledgeEdgeFilter:
    type: str | None = strawberry.field(default=None, description="Only this edge type.")
    source_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only edges leaving this node."
    )
    target_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only edges entering this node."
    )

    def to_domain(self) -> repository.EdgeFilter:
        return repository.EdgeFilter(
            edge_type=self.type,
            source_id=query_row_id(self.source_id, "KnowledgeNode", field="sourceId"),
            target_id=query_row_id(self.target_id, "KnowledgeNode", field="targetId"),
        )
