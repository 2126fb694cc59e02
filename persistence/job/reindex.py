"""`reindex`: recompute every document's search vector, in batches that each commit with
the job's progress (a crash leaves whole batches only; running it again is harmless)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.document.models import Document
from persistence.errors import ValidationError
from persistence.job.kinds import job_kind
from persistence.job.run import JobRun

DEFAULT_BATCH = 500
MAX_BATCH = 5_000


def batch_size(params: dict[str, Any]) -> int:
    size = params.get("batch_size", DEFAULT_BATCH)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_BATCH:
        raise ValidationError("batch_size", f"batch_size must be between 1 and {MAX_BATCH}")
    return size


async def _count(session: AsyncSession, organization_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(Document.organization_id == organization_id)
    return await session.scalar(stmt) or 0


async def _reindex_batch(
    session: AsyncSession, organization_id: uuid.UUID, after: uuid.UUID | None, size: int
) -> list[uuid.UUID]:
    """The next `size` documents by id after `after`, rewritten so PostgreSQL recomputes
    their generated `search_vector`; their ids. Versions and timestamps stay: the content
    did not change."""
    batch = select(Document.id).where(Document.organization_id == organization_id)
    if after is not None:
        batch = batch.where(Document.id > after)
    batch = batch.order_by(Document.id).limit(size)
    stmt = (
        update(Document)
        .where(Document.organization_id == organization_id, Document.id.in_(batch))
        .values(content=Document.content)
        .returning(Document.id)
    )
    return list((await session.scalars(stmt)).all())


@job_kind("reindex")
async def reindex(run: JobRun) -> dict[str, Any]:
    size = batch_size(run.params)
    org = run.organization_id
    total = await run.step(0, "counting documents", lambda s: _count(s, org)) or 0
    done, batches, after = 0, 0, None
    while True:
        expected = min(done + size, total)
        progress = min(99, expected * 100 // total) if total else 99
        ids = await run.step(
            progress,
            f"reindexing documents {done + 1}-{expected} of {total}",
            lambda s, after=after: _reindex_batch(s, org, after, size),
        )
        if not ids:
            break
        done, batches, after = done + len(ids), batches + 1, max(ids)
    return {"documents": done, "batches": batches}
