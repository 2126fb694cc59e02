"""The writes of an import, a batch at a time, in a few statements per batch (never one
per row): folders, claimed keys, documents and their tags."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.audit.repository import AuditRepository
from persistence.collection.models import Collection
from persistence.document.models import DocumentTag, Tag
from persistence.ids import new_id
from persistence.scope import Scope
from persistence.transfer.models import ImportKey

_LIVE_SIBLINGS = text(
    """
    SELECT w.i, c.id FROM unnest(CAST(:parents AS uuid[]), CAST(:names AS text[]))
        WITH ORDINALITY AS w(parent_id, name, i)
    JOIN collections c ON c.organization_id = :org AND c.deleted_at IS NULL
        AND c.parent_id IS NOT DISTINCT FROM w.parent_id AND lower(c.name) = lower(w.name)
    """
)


async def ensure_folders(
    session: AsyncSession,
    scope: Scope,
    root: uuid.UUID | None,
    folders: Iterable[tuple[str, ...]],
    attributes: dict[tuple[str, ...], dict[str, Any]] | None = None,
) -> tuple[dict[tuple[str, ...], uuid.UUID | None], int]:
    """The collection of every folder path under `root`, made where missing: a live
    sibling of the same name (case-insensitively, as the unique index compares) is reused,
    so importing again finds what the first import made. Two statements per depth; also
    how many collections were made."""
    made = 0
    found: dict[tuple[str, ...], uuid.UUID | None] = {(): root}
    paths = {path[:depth] for path in folders for depth in range(1, len(path) + 1)}
    for depth in range(1, max((len(p) for p in paths), default=0) + 1):
        level = sorted(p for p in paths if len(p) == depth)
        wanted = [(found[p[:-1]], p[-1]) for p in level]
        rows = [
            {
                "organization_id": scope.organization_id,
                "id": new_id(),
                "parent_id": parent,
                "owner_id": scope.user_id,
                "name": name,
                **(attributes or {}).get(path, {}),
            }
            for (parent, name), path in zip(wanted, level, strict=True)
        ]
        inserted = await session.scalars(
            pg_insert(Collection)
            .values(rows)
            .on_conflict_do_nothing(
                index_elements=[
                    Collection.organization_id,
                    Collection.parent_id,
                    func.lower(Collection.name),
                ],
                index_where=Collection.deleted_at.is_(None),
            )
            .returning(Collection.id)
        )
        made += len(inserted.all())
        result = await session.execute(
            _LIVE_SIBLINGS,
            {
                "org": scope.organization_id,
                "parents": [p for p, _ in wanted],
                "names": [n for _, n in wanted],
            },
        )
        for ordinal, collection_id in result.all():
            found[level[ordinal - 1]] = collection_id
    return found, made


async def claim(
    session: AsyncSession, scope: Scope, entity_type: str, keys: dict[str, uuid.UUID]
) -> set[str]:
    """Claim each key for the id beside it; the keys claimed now (not by an earlier or a
    concurrent import) are the entries this batch writes."""
    if not keys:
        return set()
    rows = [
        {
            "organization_id": scope.organization_id,
            "id": new_id(),
            "key": key,
            "entity_type": entity_type,
            "entity_id": entity_id,
        }
        for key, entity_id in keys.items()
    ]
    stmt = (
        pg_insert(ImportKey)
        .values(rows)
        .on_conflict_do_nothing(index_elements=[ImportKey.organization_id, ImportKey.key])
        .returning(ImportKey.key)
    )
    return set((await session.scalars(stmt)).all())


async def claimed(session: AsyncSession, scope: Scope, keys: Sequence[str]) -> dict[str, uuid.UUID]:
    """The rows earlier batches (or imports) wrote for these keys."""
    if not keys:
        return {}
    stmt = select(ImportKey.key, ImportKey.entity_id).where(
        ImportKey.organization_id == scope.organization_id, ImportKey.key.in_(list(keys))
    )
    return {key: entity_id for key, entity_id in (await session.execute(stmt)).all()}


async def insert_rows(
    session: AsyncSession, model: Any, rows: list[dict[str, Any]], *, skip_conflicts: bool = False
) -> None:
    """One multi-row INSERT by column names (nothing when there are no rows)."""
    if not rows:
        return
    stmt = pg_insert(model.__table__).values(rows)
    await session.execute(stmt.on_conflict_do_nothing() if skip_conflicts else stmt)


async def ensure_tags(session: AsyncSession, scope: Scope, names: Iterable[str]) -> dict[str, Any]:
    """The id of each tag name (by its lower case), creating the missing tags."""
    wanted: dict[str, str] = {}
    for name in names:  # the first spelling of a name wins, as if created one by one
        wanted.setdefault(name.lower(), name)
    if not wanted:
        return {}
    org = scope.organization_id
    await session.execute(
        pg_insert(Tag)
        .values([{"organization_id": org, "id": new_id(), "name": n} for n in wanted.values()])
        .on_conflict_do_nothing(index_elements=[Tag.organization_id, func.lower(Tag.name)])
    )
    stmt = select(func.lower(Tag.name), Tag.id).where(
        Tag.organization_id == org, func.lower(Tag.name).in_(list(wanted))
    )
    return dict((await session.execute(stmt)).all())


async def tag_documents(
    session: AsyncSession, scope: Scope, tags: dict[uuid.UUID, Sequence[str]]
) -> None:
    """Tag each document with its names, creating the tags that do not exist yet."""
    org = scope.organization_id
    tag_ids = await ensure_tags(session, scope, (n for names in tags.values() for n in names))
    pairs = {
        (document_id, tag_ids[name.lower()]) for document_id, ns in tags.items() for name in ns
    }
    if not pairs:
        return
    await session.execute(
        pg_insert(DocumentTag)
        .values(
            [
                {"organization_id": org, "id": new_id(), "document_id": d, "tag_id": t}
                for d, t in sorted(pairs)
            ]
        )
        .on_conflict_do_nothing()
    )


async def audit_batch(
    session: AsyncSession, scope: Scope, *, action: str, job_id: uuid.UUID, written: dict[str, Any]
) -> None:
    """One audit row per committed batch: what the job wrote, by type, with the ids."""
    await AuditRepository(session, scope).record(
        action=action,
        entity_type="Job",
        entity_id=job_id,
        changes={kind: {"old": None, "new": value} for kind, value in written.items()},
        actor_id=scope.user_id,
    )
