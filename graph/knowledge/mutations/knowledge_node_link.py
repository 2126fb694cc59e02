"""`knowledgeNodeLink`: record the document a node was taken from."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.knowledge.types import KnowledgeNode
from persistence.document.repository import DocumentRepository
from persistence.knowledge.repository import KnowledgeNodeRepository

AUDITED = ("source_document_id",)


@strawberry.input(description="The node and the document it was taken from.")
class KnowledgeNodeLinkInput:
    node_id: relay.GlobalID = strawberry.field(description="The node.")
    document_id: relay.GlobalID = strawberry.field(
        description="A live document you can see; it replaces any document linked before."
    )
    expected_version: int | None = strawberry.field(
        default=None,
        description="If given, the node's version you read; a newer one gives VersionConflict.",
    )


@strawberry.type(description="The node is linked to the document.")
class KnowledgeNodeLinkSuccess:
    node: KnowledgeNode = strawberry.field(description="The node as it is now.")


KnowledgeNodeLinkResult = Annotated[
    KnowledgeNodeLinkSuccess | ValidationError | NotFound | VersionConflict,
    strawberry.union("KnowledgeNodeLinkResult", description="The linked node, or why not."),
]


async def resolve(info: strawberry.Info, input: KnowledgeNodeLinkInput) -> KnowledgeNodeLinkResult:
    async def work(m: MutationContext) -> KnowledgeNodeLinkSuccess:
        nodes = KnowledgeNodeRepository(m.session, m.scope)
        node_id = row_id(input.node_id, "KnowledgeNode", field="node_id")
        document_id = row_id(input.document_id, "Document", field="document_id")
        before = snapshot(await nodes.get(node_id), AUDITED)
        await DocumentRepository(m.session, m.scope).get(document_id)
        linked = await nodes.update(
            node_id, expected_version=input.expected_version, source_document_id=document_id
        )
        changes = diff(before, snapshot(linked, AUDITED))
        await m.audit("knowledgeNodeLink", "KnowledgeNode", node_id, changes)
        return KnowledgeNodeLinkSuccess(node=linked)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Link a knowledge node to the document it was taken from (EDITOR or ADMIN); the"
        " document must be one the caller can see."
    ),
    permission_classes=[CanWrite],
)
