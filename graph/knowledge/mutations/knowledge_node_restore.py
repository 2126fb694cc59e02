"""`knowledgeNodeRestore`: bring a soft-deleted node back, with its edges (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from graph.knowledge.types import KnowledgeNode
from persistence import errors as domain
from persistence.knowledge.repository import KnowledgeNodeRepository


@strawberry.input(description="The deleted node to bring back.")
class KnowledgeNodeRestoreInput:
    id: relay.GlobalID = strawberry.field(description="The deleted node.")


@strawberry.type(description="The node is back, and so are its edges.")
class KnowledgeNodeRestoreSuccess:
    node: KnowledgeNode = strawberry.field(description="The restored node.")


KnowledgeNodeRestoreResult = Annotated[
    KnowledgeNodeRestoreSuccess | ValidationError | NotFound,
    strawberry.union("KnowledgeNodeRestoreResult", description="The restored node, or why not."),
]


async def resolve(
    info: strawberry.Info, input: KnowledgeNodeRestoreInput
) -> KnowledgeNodeRestoreResult:
    async def work(m: MutationContext) -> KnowledgeNodeRestoreSuccess:
        nodes = KnowledgeNodeRepository(m.session, m.scope)
        node_id = row_id(input.id, "KnowledgeNode", field="id")
        current = await nodes.get(node_id, include_deleted=True)
        if current.deleted_at is None:
            raise domain.ValidationError("id", "this knowledge node is not deleted")
        before = snapshot(current, ("deleted_at",))
        restored = await nodes.restore(node_id)
        changes = diff(before, snapshot(restored, ("deleted_at",)))
        await m.audit("knowledgeNodeRestore", "KnowledgeNode", node_id, changes)
        return KnowledgeNodeRestoreSuccess(node=restored)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Restore a soft-deleted knowledge node and its edges (ADMIN).",
    permission_classes=[IsAdminWriter],
)
