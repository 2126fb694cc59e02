"""`knowledgeNodeUpdate`: change a node's fields, if nobody changed it since it was read."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.errors import NotFound, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.knowledge.mutations.common import NODE_AUDITED, embedding_change, visible_document
from graph.knowledge.types import KnowledgeNode
from persistence import errors as domain
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.knowledge.repository import KnowledgeNodeRepository


@strawberry.input(description="Fields to change; leave out what stays the same.")
class KnowledgeNodeUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The node.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    label: str | None = strawberry.field(default=strawberry.UNSET, description="New label.")
    node_type: str | None = strawberry.field(default=strawberry.UNSET, description="New node type.")
    properties: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the JSON object; null empties it."
    )
    embedding: list[float] | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A new vector of {EMBEDDING_DIMENSIONS} numbers; null removes it.",
    )
    source_document_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="The document it was taken from; null unlinks it."
    )


@strawberry.type(description="The node was changed.")
class KnowledgeNodeUpdateSuccess:
    node: KnowledgeNode = strawberry.field(description="The node as it is now.")


KnowledgeNodeUpdateResult = Annotated[
    KnowledgeNodeUpdateSuccess | ValidationError | NotFound | VersionConflict,
    strawberry.union("KnowledgeNodeUpdateResult", description="The changed node, or why not."),
]


def _changes(input: KnowledgeNodeUpdateInput) -> dict[str, Any]:
    """The fields the client set; explicit nulls only where null means something."""
    changes: dict[str, Any] = {}
    for name in ("label", "node_type"):
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        if value is None:
            raise domain.ValidationError(name, f"{name.replace('_', ' ')} cannot be null")
        changes[name] = value
    if input.properties is not strawberry.UNSET:
        changes["properties"] = input.properties if input.properties is not None else {}
    if input.embedding is not strawberry.UNSET:
        changes["embedding"] = input.embedding
    return changes


async def resolve(
    info: strawberry.Info, input: KnowledgeNodeUpdateInput
) -> KnowledgeNodeUpdateResult:
    async def work(m: MutationContext) -> KnowledgeNodeUpdateSuccess:
        nodes = KnowledgeNodeRepository(m.session, m.scope)
        node_id = row_id(input.id, "KnowledgeNode", field="id")
        current = await nodes.get(node_id)
        before = snapshot(current, NODE_AUDITED)
        changes = _changes(input)
        embedding_before = await nodes.embedding_of(node_id) if "embedding" in changes else None
        if input.source_document_id is not strawberry.UNSET:
            changes["source_document_id"] = await visible_document(m, input.source_document_id)
        updated = await nodes.update(node_id, expected_version=input.expected_version, **changes)
        changed = diff(before, snapshot(updated, NODE_AUDITED))
        if "embedding" in changes:
            changed |= embedding_change(embedding_before, changes["embedding"])
        await m.audit("knowledgeNodeUpdate", "KnowledgeNode", node_id, changed)
        return KnowledgeNodeUpdateSuccess(node=updated)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Change a knowledge node (EDITOR or ADMIN), checking `expectedVersion`.",
    permission_classes=[CanWrite],
)
