"""What the knowledge mutations share: checked references, edge field names, embedding audit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from strawberry import relay

from graph.core.ids import row_id
from graph.core.mutations import MutationContext
from persistence import errors as domain
from persistence.document.repository import DocumentRepository
from persistence.knowledge.repository import KnowledgeNodeRepository

NODE_AUDITED = ("label", "node_type", "properties", "source_document_id")
EDGE_AUDITED = ("source_id", "target_id", "edge_type", "weight", "properties")


async def visible_document(
    m: MutationContext, global_id: relay.GlobalID | None
) -> uuid.UUID | None:
    """The row id of a document the caller can see (NotFound otherwise), or None."""
    if global_id is None:
        return None
    document_id = row_id(global_id, "Document", field="source_document_id")
    await DocumentRepository(m.session, m.scope).get(document_id)
    return document_id


async def live_nodes(
    m: MutationContext, ends: Sequence[tuple[str, relay.GlobalID]]
) -> list[uuid.UUID]:
    """Row ids of live nodes named by `(field, global id)` pairs, checked in one statement."""
    ids = [row_id(global_id, "KnowledgeNode", field=field) for field, global_id in ends]
    found = await KnowledgeNodeRepository(m.session, m.scope).get_many(ids)
    for (field, global_id), row in zip(ends, found, strict=True):
        if row is None:
            raise domain.NotFound(f"{field.removesuffix('_id')} node", str(global_id), field=field)
    return ids


@contextmanager
def edge_field_names() -> Iterator[None]:
    """Errors about the `edge_type` column name the API's input field, `type`."""
    try:
        yield
    except domain.AlreadyExists as error:
        if error.field == "edge_type":
            error.field = "type"
            error.message = "an edge of this type already joins these nodes"
        raise
    except domain.ValidationError as error:
        if error.field == "edge_type":
            error.field = "type"
        raise


def embedding_change(before: Any, after: Any) -> dict[str, Any]:
    """The audit entry of an embedding: present only when it changed, and never the vector
    itself, only whether the node had one before and has one now."""
    old = None if before is None else [float(v) for v in before]
    new = None if after is None else [float(v) for v in after]
    if old == new:
        return {}
    return {"embedding": {"old": old is not None, "new": new is not None}}
