"""Arguments of the resource queries."""

from __future__ import annotations

import enum

import strawberry
from strawberry import relay

from graph.core.ids import query_row_id
from graph.core.pagination import OrderDirection
from graph.resource.types import ResourceKind
from persistence.resource import repository


@strawberry.enum(description="What resources can be ordered by.")
class ResourceOrderField(enum.Enum):
    CREATED_AT = "created_at"
    TITLE = "title"
    QUALITY_SCORE = "quality_score"
    USAGE_COUNT = "usage_count"


@strawberry.input(description="The order of a resource list.")
class ResourceOrder:
    field: ResourceOrderField = strawberry.field(
        default=ResourceOrderField.CREATED_AT, description="The sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Which resources to list; all conditions must hold.")
class ResourceFilter:
    kind: ResourceKind | None = strawberry.field(default=None, description="Only this kind.")
    text_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the title or description."
    )
    document_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only resources linked to this document."
    )
    knowledge_node_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only resources linked to this knowledge node."
    )
    min_quality: float | None = strawberry.field(
        default=None, description="Only resources with at least this quality score."
    )

    def to_domain(self) -> repository.ResourceFilter:
        return repository.ResourceFilter(
            kind=self.kind,
            search=self.text_contains,
            document_id=query_row_id(self.document_id, "Document", field="documentId"),
            node_id=query_row_id(self.knowledge_node_id, "KnowledgeNode", field="knowledgeNodeId"),
            min_quality=self.min_quality,
        )
