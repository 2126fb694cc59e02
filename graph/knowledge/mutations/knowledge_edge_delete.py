"""`knowledgeEdgeDelete`: soft-delete an edge."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from persistence.knowledge.repository import KnowledgeEdgeRepository


@strawberry.input(description="The edge to delete.")
class KnowledgeEdgeDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The edge.")


@strawberry.type(description="The edge was deleted (an admin can restore it).")
class KnowledgeEdgeDeleteSuccess:
    deleted_id: relay.GlobalID = strawberry.field(description="The id of the deleted edge.")


KnowledgeEdgeDeleteResult = Annotated[
    KnowledgeEdgeDeleteSuccess | ValidationError | NotFound,
    strawberry.union("KnowledgeEdgeDeleteResult", description="The deleted id, or why not."),
]


async def resolve(
    info: strawberry.Info, input: KnowledgeEdgeDeleteInput
) -> KnowledgeEdgeDeleteResult:
    async def work(m: MutationContext) -> KnowledgeEdgeDeleteSuccess:
        edge_id = row_id(input.id, "KnowledgeEdge", field="id")
        deleted = await KnowledgeEdgeRepository(m.session, m.scope).soft_delete(edge_id)
        changes = diff({"deleted_at": None}, snapshot(deleted, ("deleted_at",)))
        await m.audit("knowledgeEdgeDelete", "KnowledgeEdge", edge_id, changes)
        return KnowledgeEdgeDeleteSuccess(deleted_id=relay.GlobalID("KnowledgeEdge", str(edge_id)))

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Soft-delete a knowledge edge (EDITOR or ADMIN); an admin can restore it.",
    permission_classes=[CanWrite],
)
