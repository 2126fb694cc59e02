"""The `import` job kind: an uploaded file into a target collection, in committed batches.

Markdown zips and JSON Lines become documents (folders become collections); an archive
made by `export` brings back the whole content it holds (`persistence/transfer/bundle.py`).
Bad entries are reported in the result by path or line while the good ones land. Each
entry is claimed by a stable key before it is written, so importing the same file again,
or resuming after a crash, writes nothing twice.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.collection.repository import CollectionRepository
from persistence.document.models import Document
from persistence.errors import DomainError, ValidationError
from persistence.file.repository import FileRepository
from persistence.ids import new_id
from persistence.scope import Scope
from persistence.transfer import bundle, writer
from persistence.transfer.archive import ArchiveRefused, is_zip, read_members
from persistence.transfer.batches import batches, summary
from persistence.transfer.entries import DocumentEntry, from_json_lines, from_markdown, import_key
from persistence.transfer.run import Run, progress_between, requester_scope
from persistence.transfer.settings import TransferSettings, transfer_settings
from persistence.user.models import Role


class NotAllowed(DomainError):
    """The requester may not write content (no longer an editor or an admin)."""


async def run_import(run: Run, settings: TransferSettings | None = None) -> dict[str, Any]:
    """Import `params["file_id"]` into `params["collection_id"]` (None: the organization's
    root). Returns the result summary: what was created, what was there already, problems."""
    settings = settings or transfer_settings()
    file_id = uuid.UUID(str(run.params["file_id"]))
    raw_target = run.params.get("collection_id")
    target = uuid.UUID(str(raw_target)) if raw_target else None
    scope, content = await run.step(0, "reading the file", _opening(run, file_id, target))
    try:
        return await _import(run, scope, target, content, settings)
    except ArchiveRefused as exc:
        raise ValidationError("file", str(exc)) from None


async def _import(
    run: Run, scope: Scope, target: uuid.UUID | None, content: bytes, settings: TransferSettings
) -> dict[str, Any]:
    if is_zip(content):
        members, problems = read_members(content, settings)
        if bundle.is_bundle(members):
            return await bundle.import_bundle(run, scope, target, members, problems, settings)
        entries, bad = from_markdown(members)
        kind = "markdown"
    else:
        problems = []
        entries, bad = from_json_lines(content)
        kind = "jsonl"
    problems += bad
    folders, made = await run.step(
        5,
        "creating collections",
        functools.partial(_folders, scope=scope, target=target, entries=entries),
    )
    created = 0
    for done, batch in batches(entries, settings.batch_size):
        created += await run.step(
            progress_between(10, 95, done + len(batch), len(entries)),
            f"imported {done + len(batch)} of {len(entries)} documents",
            functools.partial(
                _documents, scope=scope, run=run, target=target, batch=batch, folders=folders
            ),
        )
    await run.step(100, "done")
    return summary(
        kind,
        {"collections": made, "documents": created},
        unchanged=len(entries) - created,
        problems=problems,
    )


def _opening(
    run: Run, file_id: uuid.UUID, target: uuid.UUID | None
) -> Callable[[AsyncSession], Awaitable[tuple[Scope, bytes]]]:
    async def opening(session: AsyncSession) -> tuple[Scope, bytes]:
        scope, roles = await requester_scope(session, run)
        if not roles & {Role.ADMIN, Role.EDITOR}:
            raise NotAllowed("only editors and admins may import")
        if target is not None:
            await CollectionRepository(session, scope).get(target)  # live and visible
        return scope, await FileRepository(session, scope).content_of(file_id)

    return opening


async def _folders(
    session: AsyncSession, *, scope: Scope, target: uuid.UUID | None, entries: list[DocumentEntry]
) -> tuple[dict[tuple[str, ...], uuid.UUID | None], int]:
    return await writer.ensure_folders(session, scope, target, (e.folder for e in entries))


async def _documents(
    session: AsyncSession,
    *,
    scope: Scope,
    run: Run,
    target: uuid.UUID | None,
    batch: Sequence[DocumentEntry],
    folders: dict[tuple[str, ...], uuid.UUID | None],
) -> int:
    planned = {import_key(target, e.identity): (e, new_id()) for e in batch}
    won = await writer.claim(session, scope, "Document", {k: i for k, (_, i) in planned.items()})
    fresh = [planned[k] for k in planned if k in won]
    await writer.insert_rows(
        session,
        Document,
        [
            {
                "organization_id": scope.organization_id,
                "id": document_id,
                "collection_id": folders[entry.folder],
                "owner_id": scope.user_id,
                "title": entry.title,
                "content": entry.content,
                "metadata": entry.metadata,
            }
            for entry, document_id in fresh
        ],
    )
    await writer.tag_documents(session, scope, {i: e.tags for e, i in fresh if e.tags})
    if fresh:
        ids = [str(i) for _, i in fresh]
        await writer.audit_batch(
            session, scope, action="jobImport", job_id=run.id, written={"documents": ids}
        )
    return len(fresh)
