"""The `export` job kind: the organization's content as the requester may see it, as JSON
Lines in a zip stored in `job_files`, downloadable once by the requester.

Everything is read in one step (one transaction). Rows are read in an order where a later
read can only add references to rows already read, and references that still point outside
the export (a row soft-deleted in between, a PRIVATE document of someone else) are dropped,
so the archive is always self-contained.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.collection.repository import CollectionRepository
from persistence.document.models import DocumentTag, Tag
from persistence.document.repository import (
    AnnotationRepository,
    DocumentRepository,
    TagRepository,
)
from persistence.file.repository import FileRepository
from persistence.knowledge.models import KnowledgeNode
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from persistence.transfer import bundle_format
from persistence.transfer.run import Run, requester_scope
from persistence.transfer.settings import TransferSettings, transfer_settings
from persistence.transfer.writer import audit_batch

ZIP = "application/zip"


async def run_export(run: Run, settings: TransferSettings | None = None) -> dict[str, Any]:
    """Export into a new file of the requester's; the result names it (`file_id`) and counts
    the rows of each kind. The download URL is signed by the server when it is asked for."""
    settings = settings or transfer_settings()

    async def reading(session: AsyncSession) -> tuple[Scope, dict[str, list[dict[str, Any]]]]:
        scope, _ = await requester_scope(session, run)
        return scope, await read_content(session, scope)

    scope, rows = await run.step(5, "reading the content", reading)
    counts = {kind: len(rows[kind]) for kind in bundle_format.KINDS}
    manifest = {
        "format": bundle_format.FORMAT,
        "version": bundle_format.VERSION,
        "exportedAt": datetime.now(UTC).isoformat(),
        "counts": counts,
    }
    content = await asyncio.to_thread(bundle_format.pack, rows, manifest)
    name = f"knowledge-hub-export-{datetime.now(UTC):%Y%m%d-%H%M%S}.zip"

    async def storing(session: AsyncSession) -> uuid.UUID:
        file_id = await FileRepository(session, scope).store(
            name=name,
            content_type=ZIP,
            content=content,
            ttl=timedelta(seconds=settings.file_ttl_seconds),
            max_bytes=settings.max_file_bytes,
        )
        await audit_batch(
            session, scope, action="jobExport", job_id=run.id, written={"file": str(file_id)}
        )
        return file_id

    file_id = await run.step(100, "stored the export", storing)
    return {"fileId": str(file_id), "name": name, "size": len(content), "counts": counts}


async def read_content(session: AsyncSession, scope: Scope) -> dict[str, list[dict[str, Any]]]:
    """Every live row the scope sees, one statement per kind, as the archive's JSON rows."""
    collections = await _rows(CollectionRepository(session, scope))
    documents = await _rows(DocumentRepository(session, scope))
    document_ids = {d.id for d in documents}
    tag_names = await _document_tags(session, scope)
    annotations = await _rows(AnnotationRepository(session, scope))
    nodes = (
        await session.execute(
            KnowledgeNodeRepository(session, scope)
            .select()
            .add_columns(KnowledgeNode.embedding)
            .order_by(KnowledgeNode.id)
        )
    ).all()
    edges = await _rows(KnowledgeEdgeRepository(session, scope))
    tags = await _rows(TagRepository(session, scope))
    collection_ids = {c.id for c in collections}
    node_ids = {n.id for n, _ in nodes}
    return {
        "collections": [
            {
                "id": str(c.id),
                "parent_id": _kept(c.parent_id, collection_ids),
                "name": c.name,
                "description": c.description,
                "color": c.color,
                "icon": c.icon,
                "visibility": c.visibility.value,
            }
            for c in collections
        ],
        "tags": [{"id": str(t.id), "name": t.name} for t in tags],
        "documents": [
            {
                "id": str(d.id),
                "collection_id": _kept(d.collection_id, collection_ids),
                "title": d.title,
                "content": d.content,
                "content_type": d.content_type,
                "status": d.status.value,
                "visibility": d.visibility.value,
                "metadata": d.metadata_,
                "tags": sorted(tag_names.get(d.id, [])),
            }
            for d in documents
        ],
        "annotations": [
            {
                "id": str(a.id),
                "document_id": str(a.document_id),
                "start_offset": a.start_offset,
                "end_offset": a.end_offset,
                "quote": a.quote,
                "body": a.body,
            }
            for a in annotations
            if a.document_id in document_ids
        ],
        "knowledge_nodes": [
            {
                "id": str(n.id),
                "label": n.label,
                "node_type": n.node_type,
                "properties": n.properties,
                "source_document_id": _kept(n.source_document_id, document_ids),
                "embedding": None if embedding is None else [float(v) for v in embedding],
            }
            for n, embedding in nodes
        ],
        "knowledge_edges": [
            {
                "id": str(e.id),
                "source_id": str(e.source_id),
                "target_id": str(e.target_id),
                "edge_type": e.edge_type,
                "weight": e.weight,
                "properties": e.properties,
            }
            for e in edges
            if e.source_id in node_ids and e.target_id in node_ids
        ],
    }


async def _rows(repository: Any) -> list[Any]:
    """The repository's visible live rows, by id (time-ordered: creation order)."""
    stmt = repository.select().order_by(repository.model.id)
    return list((await repository.session.scalars(stmt)).all())


async def _document_tags(session: AsyncSession, scope: Scope) -> dict[uuid.UUID, list[str]]:
    stmt = (
        select(DocumentTag.document_id, Tag.name)
        .join(
            Tag,
            (Tag.organization_id == DocumentTag.organization_id) & (Tag.id == DocumentTag.tag_id),
        )
        .where(DocumentTag.organization_id == scope.organization_id)
    )
    names: dict[uuid.UUID, list[str]] = {}
    for document_id, name in (await session.execute(stmt)).all():
        names.setdefault(document_id, []).append(name)
    return names


def _kept(reference: uuid.UUID | None, exported: set[uuid.UUID]) -> str | None:
    """A reference the archive can resolve; one to a row not exported is dropped."""
    return str(reference) if reference is not None and reference in exported else None
