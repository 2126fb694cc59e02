"""Resources (external material) as GraphQL types."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from graph.core.loaders import related
from graph.core.nodes import LoadedNode
from graph.core.types import RowType
from graph.resource.loaders import (
    DocumentsByResourceLoader,
    KnowledgeNodesByResourceLoader,
    ResourceByIdLoader,
)
from graph.user.loaders import UserOnRecordByIdLoader
from graph.user.types import User
from persistence.resource import models

if TYPE_CHECKING:
    from graph.document.types import Document
    from graph.knowledge.types import KnowledgeNode

DocumentRef = Annotated["Document", strawberry.lazy("graph.document.types")]
KnowledgeNodeRef = Annotated["KnowledgeNode", strawberry.lazy("graph.knowledge.types")]

ResourceKind = strawberry.enum(models.ResourceKind, description="What kind of material it is.")


@strawberry.type(description="External material (a video, a dataset, a web page …) at a URL.")
class Resource(RowType, LoadedNode):
    model = models.Resource
    loader = ResourceByIdLoader

    id: relay.NodeID[str]
    url: str = strawberry.field(description="Where it is: an absolute http or https URL.")
    kind: ResourceKind = strawberry.field(description="What kind of material it is.")
    title: str = strawberry.field(description="What it is called.")
    description: str = strawberry.field(description="What it holds, and why it is useful.")
    quality_score: float = strawberry.field(description="How good it is, from 0 to 1.")
    usage_count: int = strawberry.field(description="How often it was used (`resourceUse`).")
    version: int = strawberry.field(description="Optimistic-locking version; pass it to update.")
    created_at: datetime = strawberry.field(description="When it was added.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    deleted_at: datetime | None = strawberry.field(description="When it was deleted (admins).")
    owner: User = related(UserOnRecordByIdLoader, key="owner_id", description="Who added it.")
    documents: list[DocumentRef] = related(
        DocumentsByResourceLoader,
        key="id",
        description="The live documents it is linked to that the caller can see, by title.",
    )
    knowledge_nodes: list[KnowledgeNodeRef] = related(
        KnowledgeNodesByResourceLoader,
        key="id",
        description="The live knowledge nodes it is linked to, by label.",
    )
