"""The retrieval history as GraphQL types."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.loaders import related
from graph.core.nodes import LoadedNode
from graph.core.types import RowType
from graph.document.loaders import DocumentByIdLoader
from graph.knowledge.loaders import KnowledgeNodeByIdLoader
from graph.retrieval.entries import CONVERSATION
from graph.retrieval.loaders import RetrievalQueryByIdLoader
from graph.user.loaders import UserOnRecordByIdLoader
from persistence.retrieval import models

if TYPE_CHECKING:
    from graph.document.types import Document
    from graph.knowledge.types import KnowledgeNode
    from graph.user.types import User

DocumentRef = Annotated["Document", strawberry.lazy("graph.document.types")]
NodeRef = Annotated["KnowledgeNode", strawberry.lazy("graph.knowledge.types")]
UserRef = Annotated["User", strawberry.lazy("graph.user.types")]


@strawberry.enum(description="Which retrieval field was called.")
class RetrievalKind(enum.Enum):
    SEARCH = models.SEARCH
    SIMILAR = models.SIMILAR


@strawberry.type(description="One result of a recorded retrieval call, at its rank.")
class RetrievalHit:
    rank: int = strawberry.field(description="Position in the results, 1 for the best.")
    score: float = strawberry.field(
        description="The search's relevance (higher is better) or the similarity search's "
        "cosine distance (lower is better)."
    )
    document: DocumentRef | None = strawberry.field(
        description="The document a search returned; null for a similarity search, or when "
        "the caller can no longer see it."
    )
    knowledge_node: NodeRef | None = strawberry.field(
        description="The node a similarity search returned; null for a search, or when the "
        "caller can no longer see it."
    )


@strawberry.type(description="A recorded searchDocuments or similarNodes call.")
class RetrievalQuery(RowType, LoadedNode):
    model = models.RetrievalQuery
    loader = RetrievalQueryByIdLoader

    id: relay.NodeID[str]
    kind: RetrievalKind = strawberry.field(description="Which field was called.")
    query_text: str | None = strawberry.field(
        description="What was searched for; null for a similarity search."
    )
    filters: JSON = strawberry.field(
        description="The conditions given, e.g. {collectionId, tagIds, status, ownerId} for a "
        "search, {source, nodeTypes} for a similarity search."
    )
    hit_count: int = strawberry.field(description="How many results the call returned.")
    duration_ms: float = strawberry.field(description="How long it took, in milliseconds.")
    created_at: datetime = strawberry.field(description="When it was called.")
    user: UserRef | None = related(
        UserOnRecordByIdLoader, key="user_id", description="Who called it (null if gone)."
    )
    source_node: NodeRef | None = related(
        KnowledgeNodeByIdLoader,
        key="source_node_id",
        description="The node a similarity search started from, if it was given one.",
    )

    @strawberry.field(description="The API key the call was made with, if any.")
    def api_key_id(self) -> relay.GlobalID | None:
        row: Any = self  # the ORM row (RowType)
        return _global_id("ApiKey", row.api_key_id)

    @strawberry.field(description="The Conversation the call served, if it named one.")
    def conversation_id(self) -> relay.GlobalID | None:
        row: Any = self
        return _global_id(CONVERSATION, row.conversation_id)

    @strawberry.field(description="The results, best first.")
    async def hits(self, info: strawberry.Info) -> list[RetrievalHit]:
        row: Any = self
        search = row.kind == models.SEARCH
        loader = info.context.loaders.get(DocumentByIdLoader if search else KnowledgeNodeByIdLoader)
        found = await loader.load_many(row.hit_ids)
        return [
            RetrievalHit(
                rank=rank,
                score=score,
                document=hit if search else None,
                knowledge_node=None if search else hit,
            )
            for rank, (hit, score) in enumerate(zip(found, row.hit_scores, strict=True), start=1)
        ]


def _global_id(type_name: str, id: Any) -> relay.GlobalID | None:
    return None if id is None else relay.GlobalID(type_name, str(id))
