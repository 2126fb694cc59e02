"""`purge`: delete for good the rows soft-deleted longer ago than the organization keeps
them. The audit trail stays: every batch records which ids it purged.

Order matters for the foreign keys: edges, nodes, documents, then collections leaves first
(a collection's delete cascades to its sub-collections, so only childless ones go; their
parents become childless for the next batch). Users are not purged here.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from persistence.audit.repository import AuditRepository
from persistence.collection.models import Collection
from persistence.document.models import Document
from persistence.job.kinds import job_kind
from persistence.job.reindex import batch_size
from persistence.job.run import JobRun
from persistence.knowledge.models import KnowledgeEdge, KnowledgeNode
from persistence.organization_settings import settings_for

PURGED: tuple[tuple[str, Any], ...] = (
    ("knowledge_edges", KnowledgeEdge),
    ("knowledge_nodes", KnowledgeNode),
    ("documents", Document),
    ("collections", Collection),
)


async def retention_days(session: AsyncSession, organization_id: uuid.UUID) -> int:
    """How many days the organization keeps soft-deleted rows (its settings, 30 by default)."""
    return (await settings_for(session, organization_id)).deleted_retention_days


def _expired(model: Any, organization_id: uuid.UUID, cutoff: datetime) -> list[Any]:
    clauses: list[ColumnElement[bool]] = [
        model.organization_id == organization_id,
        model.deleted_at < cutoff,
    ]
    if model is Collection:
        child = aliased(Collection)
        clauses.append(
            ~select(child.id)
            .where(child.organization_id == organization_id, child.parent_id == Collection.id)
            .exists()
        )
    return clauses


async def _plan(session: AsyncSession, organization_id: uuid.UUID) -> tuple[datetime, int]:
    """The cutoff, and how many rows are past it (collections with children included)."""
    days = await retention_days(session, organization_id)
    cutoff = await session.scalar(select(func.now() - timedelta(days=days)))
    assert cutoff is not None
    total = 0
    for _, model in PURGED:
        total += (
            await session.scalar(
                select(func.count()).where(
                    model.organization_id == organization_id, model.deleted_at < cutoff
                )
            )
            or 0
        )
    return cutoff, total


async def _purge_batch(
    session: AsyncSession, run: JobRun, table: str, model: Any, cutoff: datetime, size: int
) -> int:
    """Delete up to `size` expired rows of `model` and audit their ids; how many went."""
    org = run.organization_id
    batch = (
        select(model.id)
        .where(*_expired(model, org, cutoff))
        .order_by(model.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        delete(model).where(model.organization_id == org, model.id.in_(batch)).returning(model.id)
    )
    ids = list((await session.scalars(stmt)).all())
    if ids:
        await AuditRepository(session, run.scope).record(
            action="jobPurgeBatch",
            entity_type="Job",
            entity_id=run.id,
            changes={table: {"old": sorted(str(i) for i in ids), "new": None}},
        )
    return len(ids)


@job_kind("purge")
async def purge(run: JobRun) -> dict[str, Any]:
    size = batch_size(run.params)
    planned = await run.step(0, "finding expired rows", lambda s: _plan(s, run.organization_id))
    assert planned is not None
    cutoff, total = planned
    purged: dict[str, int] = {}
    done = 0
    for table, model in PURGED:
        purged[table] = 0
        while True:
            progress = min(99, (done + size) * 100 // total) if total else 99
            count = await run.step(
                progress,
                f"purging {table} deleted before {cutoff.date().isoformat()}",
                lambda s, table=table, model=model: _purge_batch(
                    s, run, table, model, cutoff, size
                ),
            )
            if not count:
                break
            purged[table] += count
            done += count
    return {"cutoff": cutoff.isoformat(), "purged": purged}
