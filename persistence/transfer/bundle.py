"""Importing an archive made by `export`: collections by their path of names (reusing live
ones), then tags, documents, annotations, knowledge nodes and edges in committed batches.
Every row is claimed by a key made of the target and its id in the archive, so importing
the same archive again, or resuming after a crash, writes nothing twice; references between
rows are resolved through those keys, whichever batch wrote the row referred to."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.document.models import Annotation, Document
from persistence.ids import new_id
from persistence.knowledge.models import KnowledgeEdge, KnowledgeNode
from persistence.scope import Scope
from persistence.transfer import bundle_format, bundle_rows, writer
from persistence.transfer.archive import Member, Problem
from persistence.transfer.batches import batches, summary
from persistence.transfer.bundle_rows import Row
from persistence.transfer.entries import import_key
from persistence.transfer.run import Run, progress_between
from persistence.transfer.settings import TransferSettings

BATCHED = ("documents", "annotations", "knowledge_nodes", "knowledge_edges")
MODELS = {
    "documents": Document,
    "annotations": Annotation,
    "knowledge_nodes": KnowledgeNode,
    "knowledge_edges": KnowledgeEdge,
}
REFERENCES = {  # field -> (kind referred to, required)
    "documents": {},
    "annotations": {"document_id": ("documents", True)},
    "knowledge_nodes": {"source_document_id": ("documents", False)},
    "knowledge_edges": {
        "source_id": ("knowledge_nodes", True),
        "target_id": ("knowledge_nodes", True),
    },
}


def is_bundle(members: list[Member]) -> bool:
    """An archive `export` made: its manifest names the format."""
    manifest = next((m for m in members if m.path == (bundle_format.MANIFEST,)), None)
    if manifest is None:
        return False
    try:
        return json.loads(manifest.data).get("format") == bundle_format.FORMAT
    except (ValueError, AttributeError):
        return False


async def import_bundle(
    run: Run,
    scope: Scope,
    target: uuid.UUID | None,
    members: list[Member],
    problems: list[Problem],
    settings: TransferSettings,
) -> dict[str, Any]:
    rows, bad = bundle_rows.parse(members)
    problems = problems + bad
    collections, made, orphans = await run.step(
        5,
        "creating collections and tags",
        functools.partial(_collections_and_tags, scope=scope, target=target, rows=rows),
    )
    problems += orphans
    created = {"collections": made}
    total = sum(len(rows[kind]) for kind in BATCHED)
    done = unchanged = 0
    for kind in BATCHED:
        created[kind] = 0
        for _, batch in batches(rows[kind], settings.batch_size):
            done += len(batch)
            count, refused = await run.step(
                progress_between(10, 95, done, total),
                f"imported {done} of {total} rows",
                functools.partial(
                    _write,
                    scope=scope,
                    run=run,
                    target=target,
                    kind=kind,
                    batch=batch,
                    collections=collections,
                ),
            )
            created[kind] += count
            unchanged += len(batch) - count - len(refused)
            problems += refused
    await run.step(100, "done")
    return summary("export", created, unchanged=unchanged, problems=problems)


async def _collections_and_tags(
    session: AsyncSession, *, scope: Scope, target: uuid.UUID | None, rows: dict[str, list[Row]]
) -> tuple[dict[str, uuid.UUID | None], int, list[Problem]]:
    """The new collection of every archived one, found or made by its path of names (the
    archive's root, "", is the target)."""
    by_id = {row.id: row for row in rows["collections"]}
    paths: dict[str, tuple[str, ...]] = {}
    problems: list[Problem] = []
    for row in rows["collections"]:
        path: list[str] = []
        seen: set[str] = set()
        current: Row | None = row
        while current is not None and current.id not in seen:
            seen.add(current.id)
            path.insert(0, current.values["name"])
            current = by_id.get(current.values["parent_id"] or "")
        if current is not None:
            problems.append(Problem(row.where, "the collection is its own ancestor; skipped"))
            continue
        paths[row.id] = tuple(path)
    attributes = {
        paths[row.id]: {
            key: row.values[key] for key in ("description", "color", "icon", "visibility")
        }
        for row in rows["collections"]
        if row.id in paths
    }
    found, made = await writer.ensure_folders(
        session, scope, target, paths.values(), attributes=attributes
    )
    await writer.ensure_tags(session, scope, (row.values["name"] for row in rows["tags"]))
    mapped = {old: found[path] for old, path in paths.items()}
    return mapped | {"": target}, made, problems


async def _write(
    session: AsyncSession,
    *,
    scope: Scope,
    run: Run,
    target: uuid.UUID | None,
    kind: str,
    batch: list[Row],
    collections: dict[str, uuid.UUID | None],
) -> tuple[int, list[Problem]]:
    """One batch of one kind: rows whose references resolve and whose key is new."""
    key = functools.partial(_key, target)
    references = REFERENCES[kind]
    wanted = [key(ref, row.values[f]) for row in batch for f, (ref, _) in references.items()]
    resolved = await writer.claimed(session, scope, [k for k in wanted if k])
    problems: list[Problem] = []
    planned: dict[str, tuple[Row, uuid.UUID, dict[str, uuid.UUID | None]]] = {}
    for row in batch:
        refs = {
            f: resolved.get(key(ref, row.values[f]) or "") for f, (ref, _) in references.items()
        }
        missing = [f for f, (_, required) in references.items() if required and refs[f] is None]
        if missing:
            problems.append(Problem(row.where, f"`{missing[0]}` names a row not imported; skipped"))
            continue
        planned[key(kind, row.id) or ""] = (row, new_id(), refs)
    won = await writer.claim(session, scope, kind, {k: i for k, (_, i, _) in planned.items()})
    fresh = [planned[k] for k in planned if k in won]
    values = [_values(kind, scope, row, new, refs, collections) for row, new, refs in fresh]
    await writer.insert_rows(
        session, MODELS[kind], values, skip_conflicts=kind == "knowledge_edges"
    )
    if kind == "documents":
        await writer.tag_documents(
            session, scope, {new: row.values["tags"] for row, new, _ in fresh if row.values["tags"]}
        )
    if fresh:
        ids = [str(new) for _, new, _ in fresh]
        await writer.audit_batch(
            session, scope, action="jobImport", job_id=run.id, written={kind: ids}
        )
    return len(fresh), problems


def _key(target: uuid.UUID | None, kind: str, old_id: str | None) -> str | None:
    return None if old_id is None else import_key(target, f"export:{kind}:{old_id}")


def _values(
    kind: str,
    scope: Scope,
    row: Row,
    new: uuid.UUID,
    refs: dict[str, uuid.UUID | None],
    collections: dict[str, uuid.UUID | None],
) -> dict[str, Any]:
    """The database row of an archived one, owned or written by the requester."""
    v = row.values
    base = {"organization_id": scope.organization_id, "id": new, **refs}
    if kind == "documents":
        return base | {
            "collection_id": collections.get(v["collection_id"] or "", collections[""]),
            "owner_id": scope.user_id,
            "title": v["title"],
            "content": v["content"],
            "content_type": v["content_type"] or "text/markdown",
            "status": v["status"],
            "visibility": v["visibility"],
            "metadata": v["metadata"],
        }
    if kind == "annotations":
        fields = ("start_offset", "end_offset", "quote", "body")
        return base | {"author_id": scope.user_id} | {f: v[f] for f in fields}
    if kind == "knowledge_nodes":
        fields = ("label", "node_type", "properties", "embedding")
        return base | {f: v[f] for f in fields}
    return base | {f: v[f] for f in ("edge_type", "weight", "properties")}
