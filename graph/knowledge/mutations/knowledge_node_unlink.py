"""`knowledgeNodeUnlink`: forget the document a node was taken from."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.knowledge.types import KnowledgeNode
from persistence.knowledge.repository import KnowledgeNodeRepository

AUDITED = ("source_document_id",)


@strawberry.input(description="The node to unlink from its document.")
class KnowledgeNodeUnlinkInput:
    node_id: relay.GlobalID = strawberry.field(description="The node.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="If given, the node's version you read; a newer one gives VersionConflict.",
    )


@strawberry.type(description="The node is linked to no document (any more).")
class KnowledgeNodeUnlinkSuccess:
    node: KnowledgeNode = strawberry.field(description="The node as it is now.")


KnowledgeNodeUnlinkResult = Annotated[
    KnowledgeNodeUnlinkSuccess | ValidationError | NotFound | VersionConflict,
    strawberry.union("KnowledgeNodeUnlinkResult", description="The unlinked node, or why not."),
]


async def resolve(
    info: strawberry.Info, input: KnowledgeNodeUnlinkInput
) -> KnowledgeNodeUnlinkResult:
    async def work(m: MutationContext) -> KnowledgeNodeUnlinkSuccess:
        nodes = KnowledgeNodeRepository(m.session, m.scope)
        node_id = row_id(input.node_id, "KnowledgeNode", field="node_id")
        before = snapshot(await nodes.get(node_id), AUDITED)
        unlinked = await nodes.update(
            node_id, expected_version=input.expected_version, source_document_id=None
        )
        changes = diff(before, snapshot(unlinked, AUDITED))
        await m.audit("knowledgeNodeUnlink", "KnowledgeNode", node_id, changes)
        return KnowledgeNodeUnlinkSuccess(node=unlinked)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Unlink a knowledge node from the document it was taken from (EDITOR or ADMIN);"
        " a node linked to none stays so."
    ),
    permission_classes=[CanWrite],
)
