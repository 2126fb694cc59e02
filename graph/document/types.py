"""Documents, tags and annotations as GraphQL types."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.collection.loaders import CollectionByIdLoader
from graph.core.enums import DocumentStatus, Visibility
from graph.core.loaders import related
from graph.core.nodes import LoadedNode
from graph.core.types import RowType
from graph.document.loaders import (
    AnnotationByIdLoader,
    AnnotationsByDocumentLoader,
    DocumentByIdLoader,
    DocumentCountByTagLoader,
    TagByIdLoader,
    TagsByDocumentLoader,
)
from graph.knowledge.loaders import KnowledgeNodesByDocumentLoader
from graph.resource.loaders import ResourcesByDocumentLoader
from graph.user.loaders import UserOnRecordByIdLoader
from graph.user.types import User
from persistence.document import models

if TYPE_CHECKING:
    from graph.collection.types import Collection
    from graph.knowledge.types import KnowledgeNode
    from graph.resource.types import Resource

CollectionRef = Annotated["Collection", strawberry.lazy("graph.collection.types")]
KnowledgeNodeRef = Annotated["KnowledgeNode", strawberry.lazy("graph.knowledge.types")]
ResourceRef = Annotated["Resource", strawberry.lazy("graph.resource.types")]


@strawberry.type(description="A label shared by documents, unique per organization.")
class Tag(RowType, LoadedNode):
    model = models.Tag
    loader = TagByIdLoader

    id: relay.NodeID[str]
    name: str = strawberry.field(description="The label (unique, case-insensitive).")
    created_at: datetime = strawberry.field(description="When it was first used.")
    document_count: int = related(
        DocumentCountByTagLoader,
        key="id",
        description="How many live documents the caller can see carry the tag.",
    )


@strawberry.type(description="A note on a span of a document's content.")
class Annotation(RowType, LoadedNode):
    model = models.Annotation
    loader = AnnotationByIdLoader

    id: relay.NodeID[str]
    start_offset: int = strawberry.field(description="Where the span starts (characters).")
    end_offset: int = strawberry.field(description="Where the span ends; at least the start.")
    quote: str = strawberry.field(description="The annotated text, as it was when annotated.")
    body: str = strawberry.field(description="The note itself.")
    created_at: datetime = strawberry.field(description="When it was written.")
    author: User = related(UserOnRecordByIdLoader, key="author_id", description="Who wrote it.")
    document: Document | None = related(
        DocumentByIdLoader, key="document_id", description="The annotated document."
    )


@strawberry.type(description="A piece of knowledge: text with a status, tags and annotations.")
class Document(RowType, LoadedNode):
    model = models.Document
    loader = DocumentByIdLoader

    id: relay.NodeID[str]
    title: str = strawberry.field(description="The title, weighted highest in search.")
    content: str = strawberry.field(description="The body text.")
    content_type: str = strawberry.field(description="Media type of the content.")
    status: DocumentStatus = strawberry.field(description="Draft, published or archived.")
    visibility: Visibility = strawberry.field(description="Who may see the document.")
    metadata_: JSON = strawberry.field(
        name="metadata", description="Free-form JSON attributes (an object)."
    )
    version: int = strawberry.field(description="Optimistic-locking version; pass it to update.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    deleted_at: datetime | None = strawberry.field(description="When it was deleted (admins).")
    owner: User = related(UserOnRecordByIdLoader, key="owner_id", description="Who owns it.")
    collection: CollectionRef | None = related(
        CollectionByIdLoader, key="collection_id", description="The folder it is in."
    )
    tags: list[Tag] = related(TagsByDocumentLoader, key="id", description="Its tags, by name.")
    annotations: list[Annotation] = related(
        AnnotationsByDocumentLoader, key="id", description="Its annotations, in text order."
    )
    knowledge_nodes: list[KnowledgeNodeRef] = related(
        KnowledgeNodesByDocumentLoader,
        key="id",
        description="The live knowledge nodes taken from it, by label.",
    )
    resources: list[ResourceRef] = related(
        ResourcesByDocumentLoader,
        key="id",
        description="The live resources linked to it, best quality first.",
    )
