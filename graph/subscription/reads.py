"""An event's entity, read as the subscriber may see it now: through the domain's
repository (organization scope, PRIVATE visibility), deleted rows included so a DELETED
change still shows what was deleted. A row the subscriber cannot see is None: the event
is dropped, so its id never reaches them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import any_, select

from graph.subscription.context import SocketContext
from persistence.audit.repository import AuditRepository
from persistence.document.models import Document, DocumentTag
from persistence.document.repository import DocumentFilter, DocumentRepository
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.repository import Repository, uuid_array


@dataclass(frozen=True)
class DocumentWatch:
    """The subscriber's filter, as row ids."""

    collection_id: uuid.UUID | None = None
    tag_ids: Sequence[uuid.UUID] | None = None
    ids: frozenset[uuid.UUID] | None = None


async def document(context: SocketContext, id: uuid.UUID, watch: DocumentWatch) -> Any:
    """The document, if the subscriber may see it and it matches their filter."""
    if watch.ids is not None and id not in watch.ids:
        return None
    async with context.operation.session() as session:
        documents = DocumentRepository(session, context.viewer.scope())
        stmt = documents.select(
            include_deleted=True, filter=DocumentFilter(collection_id=watch.collection_id)
        ).where(Document.id == id)
        if watch.tag_ids is not None:
            stmt = stmt.where(
                Document.id.in_(
                    select(DocumentTag.document_id).where(
                        DocumentTag.organization_id == context.viewer.organization_id,
                        DocumentTag.tag_id == any_(uuid_array("tag_ids", watch.tag_ids)),
                    )
                )
            )
        return await session.scalar(stmt)


async def row(context: SocketContext, repository: type[Repository[Any]], id: uuid.UUID) -> Any:
    """A knowledge node or edge, or an audit event, if the subscriber may see it."""
    async with context.operation.session() as session:
        (found,) = await repository(session, context.viewer.scope()).get_many(
            [id], include_deleted=True
        )
        return found


KNOWLEDGE = {"KnowledgeNode": KnowledgeNodeRepository, "KnowledgeEdge": KnowledgeEdgeRepository}
AUDIT = AuditRepository
