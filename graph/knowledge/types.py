"""Knowledge graph nodes and edges as GraphQL types."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.loaders import Counted, related
from graph.core.nodes import LoadedNode
from graph.core.types import RowType
from graph.document.loaders import DocumentByIdLoader
from graph.document.types import Document
from graph.knowledge.loaders import (
    DegreeByNodeLoader,
    IncomingEdgesByNodeLoader,
    KnowledgeEdgeByIdLoader,
    KnowledgeNodeByIdLoader,
    OutgoingEdgesByNodeLoader,
)
from graph.knowledge.traversal import TraversalDirection, neighbors_field
from graph.resource.loaders import ResourcesByKnowledgeNodeLoader
from persistence.knowledge import models
from persistence.knowledge.repository import INCOMING_EDGE_COUNT, OUTGOING_EDGE_COUNT
from persistence.knowledge.traversal import Direction

if TYPE_CHECKING:
    from graph.resource.types import Resource

ResourceRef = Annotated["Resource", strawberry.lazy("graph.resource.types")]

DEGREE = Counted(
    "id",
    lambda args: {
        Direction.OUT: (OUTGOING_EDGE_COUNT,),
        Direction.IN: (INCOMING_EDGE_COUNT,),
        Direction.BOTH: (OUTGOING_EDGE_COUNT, INCOMING_EDGE_COUNT),
    }[args.get("direction", Direction.BOTH)],
)
"""`degree` as the compiled read path reads it; `DegreeByNodeLoader` counts the same rows."""


@strawberry.type(description="A typed node of the knowledge graph.")
class KnowledgeNode(RowType, LoadedNode):
    model = models.KnowledgeNode
    loader = KnowledgeNodeByIdLoader

    id: relay.NodeID[str]
    label: str = strawberry.field(description="What the node is called.")
    node_type: str = strawberry.field(description="Its kind, e.g. concept, person, project.")
    properties: JSON = strawberry.field(description="Free-form JSON attributes.")
    has_embedding: bool = strawberry.field(
        description="Whether the node has an embedding for similarity search."
    )
    version: int = strawberry.field(description="Optimistic-locking version; pass it to update.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    source_document: Document | None = related(
        DocumentByIdLoader,
        key="source_document_id",
        description="The document the node was taken from, if any (and visible).",
    )
    outgoing: list[KnowledgeEdge] = related(
        OutgoingEdgesByNodeLoader, key="id", description="Edges leaving the node, heaviest first."
    )
    incoming: list[KnowledgeEdge] = related(
        IncomingEdgesByNodeLoader, key="id", description="Edges entering the node, heaviest first."
    )
    resources: list[ResourceRef] = related(
        ResourcesByKnowledgeNodeLoader,
        key="id",
        description="The live resources linked to it, best quality first.",
    )
    neighbors = neighbors_field()

    @strawberry.field(
        description="How many live edges touch the node (batched across a whole response).",
        metadata=DEGREE.metadata,
    )
    async def degree(
        self,
        info: strawberry.Info,
        direction: Annotated[
            TraversalDirection,
            strawberry.argument(description="OUT counts edges leaving, IN entering, BOTH all."),
        ] = Direction.BOTH,
    ) -> int:
        return await info.context.loaders.get(DegreeByNodeLoader).load((self.id, direction))


@strawberry.type(description="A weighted, typed edge from a source node to a target node.")
class KnowledgeEdge(RowType, LoadedNode):
    model = models.KnowledgeEdge
    loader = KnowledgeEdgeByIdLoader

    id: relay.NodeID[str]
    edge_type: str = strawberry.field(name="type", description="The relation, e.g. depends_on.")
    weight: float = strawberry.field(description="Strength of the relation, from 0 to 1.")
    properties: JSON = strawberry.field(description="Free-form JSON attributes.")
    version: int = strawberry.field(description="Optimistic-locking version; pass it to update.")
    created_at: datetime = strawberry.field(description="When it was created.")
    source: KnowledgeNode = related(
        KnowledgeNodeByIdLoader, key="source_id", description="Where the edge starts."
    )
    target: KnowledgeNode = related(
        KnowledgeNodeByIdLoader, key="target_id", description="Where the edge ends."
    )
