"""Driving the import and export kinds against the real database, and reading back what
they wrote: the organization's content as plain data, comparable across organizations."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from persistence.collection.models import Collection
from persistence.database import Database
from persistence.document.models import Document, DocumentTag, Tag
from persistence.file.repository import FileRepository
from persistence.scope import Scope
from persistence.transfer.exporting import read_content
from persistence.transfer.importing import run_import
from persistence.transfer.settings import TransferSettings
from tests.fixtures.jobs import StepRun
from tests.graph.conftest import Member

SETTINGS = TransferSettings(batch_size=2)


def zipped(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


async def stored(app_database: Database, member: Member, content: bytes) -> uuid.UUID:
    """An upload of `member`'s, as the upload mutation will store it."""
    user = member.user
    scope = Scope(user.organization_id, user_id=user.id)
    async with app_database.transaction(user.organization_id) as session:
        return await FileRepository(session, scope).store(
            name="upload.zip",
            content_type="application/zip",
            content=content,
            ttl=timedelta(hours=1),
            max_bytes=SETTINGS.max_file_bytes,
        )


def job(app_database: Database, member: Member, kind: str, **params: Any) -> StepRun:
    return StepRun(
        database=app_database,
        organization_id=member.user.organization_id,
        requested_by_id=member.user.id,
        kind=kind,
        params=params,
    )


async def imported(
    app_database: Database,
    member: Member,
    content: bytes,
    collection_id: uuid.UUID | None = None,
    settings: TransferSettings = SETTINGS,
) -> dict[str, Any]:
    file_id = await stored(app_database, member, content)
    run = job(app_database, member, "import", file_id=str(file_id), collection_id=collection_id)
    return await run_import(run, settings)


async def tree(database: Database, organization_id: uuid.UUID) -> dict[str, Any]:
    """Live collections by path, and documents by collection path and title with their
    content, tags and metadata."""
    async with database.transaction(read_only=True) as session:
        collections = (
            await session.scalars(
                select(Collection).where(
                    Collection.organization_id == organization_id, Collection.deleted_at.is_(None)
                )
            )
        ).all()
        documents = (
            await session.scalars(
                select(Document).where(
                    Document.organization_id == organization_id, Document.deleted_at.is_(None)
                )
            )
        ).all()
        tagged = (
            await session.execute(
                select(DocumentTag.document_id, Tag.name)
                .join(Tag, Tag.id == DocumentTag.tag_id)
                .where(DocumentTag.organization_id == organization_id)
            )
        ).all()
    by_id = {c.id: c for c in collections}

    def path(collection_id: uuid.UUID | None) -> str:
        names: list[str] = []
        while collection_id is not None:
            names.insert(0, by_id[collection_id].name)
            collection_id = by_id[collection_id].parent_id
        return "/".join(names)

    tags: dict[uuid.UUID, list[str]] = {}
    for document_id, name in tagged:
        tags.setdefault(document_id, []).append(name)
    return {
        "collections": _sorted(path(c.id) for c in collections),
        "documents": {
            f"{path(d.collection_id)}:{d.title}": {
                "content": d.content,
                "tags": sorted(tags.get(d.id, [])),
                "metadata": d.metadata_,
            }
            for d in documents
        },
    }


async def content_of(database: Database, organization_id: uuid.UUID) -> dict[str, Any]:
    """Everything an export holds, with ids replaced by what they name, for comparing two
    organizations' content."""
    async with database.transaction(read_only=True) as session:
        rows = await read_content(session, Scope.system(organization_id))
    names = {c["id"]: c for c in rows["collections"]}

    def path(collection_id: str | None) -> str:
        parts: list[str] = []
        while collection_id is not None:
            parts.insert(0, names[collection_id]["name"])
            collection_id = names[collection_id]["parent_id"]
        return "/".join(parts)

    titles = {d["id"]: f"{path(d['collection_id'])}:{d['title']}" for d in rows["documents"]}
    labels = {n["id"]: n["label"] for n in rows["knowledge_nodes"]}
    strip = ("id", "collection_id", "parent_id", "document_id", "source_document_id")
    strip += ("source_id", "target_id")

    def plain(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k not in strip}

    return {
        "collections": _sorted([path(c["id"]), plain(c)] for c in rows["collections"]),
        "tags": sorted(t["name"] for t in rows["tags"]),
        "documents": _sorted([titles[d["id"]], plain(d)] for d in rows["documents"]),
        "annotations": _sorted([titles[a["document_id"]], plain(a)] for a in rows["annotations"]),
        "knowledge_nodes": _sorted(
            [n["label"], titles.get(n["source_document_id"] or ""), plain(n)]
            for n in rows["knowledge_nodes"]
        ),
        "knowledge_edges": _sorted(
            [labels[e["source_id"]], labels[e["target_id"]], plain(e)]
            for e in rows["knowledge_edges"]
        ),
    }


def _sorted(items: Any) -> list[Any]:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))
