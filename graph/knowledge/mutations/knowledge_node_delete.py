"""`knowledgeNodeDelete`: soft-delete a node; its edges disappear with it until a restore."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from persistence.knowledge.repository import KnowledgeNodeRepository


@strawberry.input(description="The node to delete.")
class KnowledgeNodeDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The node.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="If given, the version you read; a newer one gives VersionConflict.",
    )


@strawberry.type(description="The node was deleted (an admin can restore it).")
class KnowledgeNodeDeleteSuccess:
    deleted_id: relay.GlobalID = strawberry.field(description="The id of the deleted node.")


KnowledgeNodeDeleteResult = Annotated[
    KnowledgeNodeDeleteSuccess | ValidationError | NotFound | VersionConflict,
    strawberry.union("KnowledgeNodeDeleteResult", description="The deleted id, or why not."),
]


async def resolve(
    info: strawberry.Info, input: KnowledgeNodeDeleteInput
) -> KnowledgeNodeDeleteResult:
    async def work(m: MutationContext) -> KnowledgeNodeDeleteSuccess:
        node_id = row_id(input.id, "KnowledgeNode", field="id")
        deleted = await KnowledgeNodeRepository(m.session, m.scope).soft_delete(
            node_id, expected_version=input.expected_version
        )
        changes = diff({"deleted_at": None}, snapshot(deleted, ("deleted_at",)))
        await m.audit("knowledgeNodeDelete", "KnowledgeNode", node_id, changes)
        return KnowledgeNodeDeleteSuccess(deleted_id=relay.GlobalID("KnowledgeNode", str(node_id)))

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Soft-delete a knowledge node (EDITOR or ADMIN). Its edges are hidden while it is "
        "deleted and come back when an admin restores it."
    ),
    permission_classes=[CanWrite],
)
