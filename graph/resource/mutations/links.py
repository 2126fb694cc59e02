"""What `resourceLink` and `resourceUnlink` share: the input, checked targets, the audit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import strawberry
from strawberry import relay

from graph.core.ids import row_id
from graph.core.mutations import MutationContext
from graph.resource.types import Resource
from persistence import errors as domain
from persistence.document.repository import DocumentRepository
from persistence.knowledge.repository import KnowledgeNodeRepository
from persistence.pagination import MAX_PAGE_SIZE
from persistence.resource.repository import ResourceRepository


@strawberry.input(description="A resource and what to link it to, or unlink it from.")
class ResourceLinksInput:
    id: relay.GlobalID = strawberry.field(description="The resource.")
    document_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="Documents you can see (at most 100)."
    )
    knowledge_node_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="Live knowledge nodes (at most 100)."
    )


@strawberry.type(description="The resource's links are as asked.")
class ResourceLinksSuccess:
    resource: Resource = strawberry.field(description="The resource; read its links from it.")


@dataclass(frozen=True)
class Targets:
    resource_id: uuid.UUID
    document_ids: list[uuid.UUID]
    node_ids: list[uuid.UUID]


def _ids(global_ids: Sequence[relay.GlobalID], type_name: str, field: str) -> list[uuid.UUID]:
    if len(global_ids) > MAX_PAGE_SIZE:
        raise domain.ValidationError(field, f"at most {MAX_PAGE_SIZE} ids at once")
    return list(dict.fromkeys(row_id(g, type_name, field=field) for g in global_ids))


async def targets(m: MutationContext, input: ResourceLinksInput) -> Targets:
    """The live resource, and documents and nodes the caller can see: NotFound naming the
    first that is not (one statement per kind, whatever the number of ids)."""
    resource_id = row_id(input.id, "Resource", field="id")
    document_ids = _ids(input.document_ids, "Document", "document_ids")
    node_ids = _ids(input.knowledge_node_ids, "KnowledgeNode", "knowledge_node_ids")
    await ResourceRepository(m.session, m.scope).get(resource_id)
    checks = (
        (DocumentRepository, document_ids, "document", "document_ids"),
        (KnowledgeNodeRepository, node_ids, "knowledge node", "knowledge_node_ids"),
    )
    for repository, ids, entity, field in checks:
        found = await repository(m.session, m.scope).get_many(ids) if ids else []
        for id, row in zip(ids, found, strict=True):
            if row is None:
                raise domain.NotFound(entity, id, field=field)
    return Targets(resource_id, document_ids, node_ids)


async def audit(m: MutationContext, action: str, chosen: Targets) -> None:
    """One audit row naming the documents and nodes the mutation was asked about."""
    changes = {
        name: {"old": None, "new": [str(i) for i in ids]}
        for name, ids in (("document_ids", chosen.document_ids), ("node_ids", chosen.node_ids))
        if ids
    }
    await m.audit(action, "Resource", chosen.resource_id, changes)
