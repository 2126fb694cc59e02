"""`knowledgeEdgeRestore`: bring a soft-deleted edge back (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from graph.knowledge.types import KnowledgeEdge
from persistence import errors as domain
from persistence.knowledge.repository import KnowledgeEdgeRepository


@strawberry.input(description="The deleted edge to bring back.")
class KnowledgeEdgeRestoreInput:
    id: relay.GlobalID = strawberry.field(
        description="The deleted edge; both of its nodes must be live."
    )


@strawberry.type(description="The edge is back.")
class KnowledgeEdgeRestoreSuccess:
    edge: KnowledgeEdge = strawberry.field(description="The restored edge.")


KnowledgeEdgeRestoreResult = Annotated[
    KnowledgeEdgeRestoreSuccess | ValidationError | NotFound,
    strawberry.union("KnowledgeEdgeRestoreResult", description="The restored edge, or why not."),
]


async def resolve(
    info: strawberry.Info, input: KnowledgeEdgeRestoreInput
) -> KnowledgeEdgeRestoreResult:
    async def work(m: MutationContext) -> KnowledgeEdgeRestoreSuccess:
        edges = KnowledgeEdgeRepository(m.session, m.scope)
        edge_id = row_id(input.id, "KnowledgeEdge", field="id")
        current = await edges.get(edge_id, include_deleted=True)
        if current.deleted_at is None:
            raise domain.ValidationError("id", "this knowledge edge is not deleted")
        before = snapshot(current, ("deleted_at",))
        restored = await edges.restore(edge_id)
        changes = diff(before, snapshot(restored, ("deleted_at",)))
        await m.audit("knowledgeEdgeRestore", "KnowledgeEdge", edge_id, changes)
        return KnowledgeEdgeRestoreSuccess(edge=restored)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Restore a soft-deleted knowledge edge (ADMIN); NotFound while one of its nodes is deleted."
    ),
    permission_classes=[IsAdminWriter],
)
