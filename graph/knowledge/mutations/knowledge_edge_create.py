"""`knowledgeEdgeCreate`: a weighted, typed edge between two live nodes."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.errors import AlreadyExists, NotFound, ValidationError
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.knowledge.mutations.common import EDGE_AUDITED, edge_field_names, live_nodes
from graph.knowledge.types import KnowledgeEdge
from persistence.knowledge.repository import KnowledgeEdgeRepository


@strawberry.input(description="A new edge from a source node to a target node.")
class KnowledgeEdgeCreateInput:
    source_id: relay.GlobalID = strawberry.field(description="Where the edge starts.")
    target_id: relay.GlobalID = strawberry.field(
        description="Where the edge ends (not the source itself)."
    )
    edge_type: str = strawberry.field(
        name="type",
        description="The relation, e.g. depends_on; one edge per type between two nodes.",
    )
    weight: float = strawberry.field(default=1.0, description="Strength, from 0 to 1.")
    properties: JSON | None = strawberry.field(
        default=None, description="Free-form attributes: a JSON object."
    )


@strawberry.type(description="The edge was created.")
class KnowledgeEdgeCreateSuccess:
    edge: KnowledgeEdge = strawberry.field(description="The new edge.")


KnowledgeEdgeCreateResult = Annotated[
    KnowledgeEdgeCreateSuccess | ValidationError | NotFound | AlreadyExists,
    strawberry.union("KnowledgeEdgeCreateResult", description="The new edge, or why not."),
]


async def resolve(
    info: strawberry.Info, input: KnowledgeEdgeCreateInput
) -> KnowledgeEdgeCreateResult:
    async def work(m: MutationContext) -> KnowledgeEdgeCreateSuccess:
        source_id, target_id = await live_nodes(
            m, [("source_id", input.source_id), ("target_id", input.target_id)]
        )
        with edge_field_names():
            edge = await KnowledgeEdgeRepository(m.session, m.scope).create(
                source_id=source_id,
                target_id=target_id,
                edge_type=input.edge_type,
                weight=input.weight,
                properties=input.properties if input.properties is not None else {},
            )
        changes = diff({}, snapshot(edge, EDGE_AUDITED))
        await m.audit("knowledgeEdgeCreate", "KnowledgeEdge", edge.id, changes)
        return KnowledgeEdgeCreateSuccess(edge=edge)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Join two live knowledge nodes with a typed, weighted edge (EDITOR or ADMIN).",
    permission_classes=[CanWrite],
)
