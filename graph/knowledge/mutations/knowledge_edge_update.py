"""`knowledgeEdgeUpdate`: change an edge's type, weight or properties, checking its version."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.errors import AlreadyExists, NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.knowledge.mutations.common import EDGE_AUDITED, edge_field_names
from graph.knowledge.types import KnowledgeEdge
from persistence import errors as domain
from persistence.knowledge.repository import KnowledgeEdgeRepository


@strawberry.input(description="Fields to change; leave out what stays the same.")
class KnowledgeEdgeUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The edge.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    edge_type: str | None = strawberry.field(
        name="type", default=strawberry.UNSET, description="New relation type."
    )
    weight: float | None = strawberry.field(
        default=strawberry.UNSET, description="New strength, from 0 to 1."
    )
    properties: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the JSON object; null empties it."
    )


@strawberry.type(description="The edge was changed.")
class KnowledgeEdgeUpdateSuccess:
    edge: KnowledgeEdge = strawberry.field(description="The edge as it is now.")


KnowledgeEdgeUpdateResult = Annotated[
    KnowledgeEdgeUpdateSuccess | ValidationError | NotFound | VersionConflict | AlreadyExists,
    strawberry.union("KnowledgeEdgeUpdateResult", description="The changed edge, or why not."),
]


def _changes(input: KnowledgeEdgeUpdateInput) -> dict[str, Any]:
    """The fields the client set; explicit nulls only where null means something."""
    changes: dict[str, Any] = {}
    for name, api_name in (("edge_type", "type"), ("weight", "weight")):
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        if value is None:
            raise domain.ValidationError(api_name, f"{api_name} cannot be null")
        changes[name] = value
    if input.properties is not strawberry.UNSET:
        changes["properties"] = input.properties if input.properties is not None else {}
    return changes


async def resolve(
    info: strawberry.Info, input: KnowledgeEdgeUpdateInput
) -> KnowledgeEdgeUpdateResult:
    async def work(m: MutationContext) -> KnowledgeEdgeUpdateSuccess:
        edges = KnowledgeEdgeRepository(m.session, m.scope)
        edge_id = row_id(input.id, "KnowledgeEdge", field="id")
        before = snapshot(await edges.get(edge_id), EDGE_AUDITED)
        changes = _changes(input)
        with edge_field_names():
            updated = await edges.update(
                edge_id, expected_version=input.expected_version, **changes
            )
        changed = diff(before, snapshot(updated, EDGE_AUDITED))
        await m.audit("knowledgeEdgeUpdate", "KnowledgeEdge", edge_id, changed)
        return KnowledgeEdgeUpdateSuccess(edge=updated)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Change a knowledge edge (EDITOR or ADMIN), checking `expectedVersion`.",
    permission_classes=[CanWrite],
)
