"""`knowledgeNodeCreate`: a new node of the knowledge graph."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.errors import NotFound, ValidationError
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.knowledge.mutations.common import NODE_AUDITED, embedding_change, visible_document
from graph.knowledge.types import KnowledgeNode
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.knowledge.repository import KnowledgeNodeRepository


@strawberry.input(description="A new knowledge node.")
class KnowledgeNodeCreateInput:
    label: str = strawberry.field(description="What the node is called (not blank).")
    node_type: str = strawberry.field(description="Its kind, e.g. concept, person, project.")
    properties: JSON | None = strawberry.field(
        default=None, description="Free-form attributes: a JSON object."
    )
    embedding: list[float] | None = strawberry.field(
        default=None,
        description=f"A vector of {EMBEDDING_DIMENSIONS} finite numbers for similarity search.",
    )
    source_document_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The document the node was taken from (one you can see)."
    )


@strawberry.type(description="The node was created.")
class KnowledgeNodeCreateSuccess:
    node: KnowledgeNode = strawberry.field(description="The new node.")


KnowledgeNodeCreateResult = Annotated[
    KnowledgeNodeCreateSuccess | ValidationError | NotFound,
    strawberry.union("KnowledgeNodeCreateResult", description="The new node, or why not."),
]


async def resolve(
    info: strawberry.Info, input: KnowledgeNodeCreateInput
) -> KnowledgeNodeCreateResult:
    async def work(m: MutationContext) -> KnowledgeNodeCreateSuccess:
        node = await KnowledgeNodeRepository(m.session, m.scope).create(
            label=input.label,
            node_type=input.node_type,
            properties=input.properties if input.properties is not None else {},
            embedding=input.embedding,
            source_document_id=await visible_document(m, input.source_document_id),
        )
        changes = diff({}, snapshot(node, NODE_AUDITED)) | embedding_change(None, input.embedding)
        await m.audit("knowledgeNodeCreate", "KnowledgeNode", node.id, changes)
        return KnowledgeNodeCreateSuccess(node=node)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Create a knowledge node (EDITOR or ADMIN).",
    permission_classes=[CanWrite],
)
