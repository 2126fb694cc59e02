"""Benchmark volumes in organization `scale`: N documents, N/2 nodes, 5 edges per node.

Rows go in with binary COPY in batches, inside the caller's one transaction, so a failed
load leaves nothing behind. Every run adds N more documents under a new root folder
(`Run 1`, `Run 2`, …): run it twice for 2N. The accounts are created on the first run only.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.audit.repository import AuditRepository
from persistence.collection.models import Collection
from persistence.collection.repository import CollectionRepository
from persistence.database import scope_transaction
from persistence.document.models import Annotation, Document, DocumentTag
from persistence.document.repository import TagRepository
from persistence.errors import ValidationError
from persistence.ids import new_id
from persistence.knowledge.models import KnowledgeEdge, KnowledgeNode
from persistence.scope import Scope
from persistence.seed import graph
from persistence.seed.accounts import Login, create_accounts
from persistence.seed.banks import TOPICS
from persistence.seed.collections import Path, collection_rows, topic_paths
from persistence.seed.conversations import scale_conversations
from persistence.seed.copy import (
    copy_rows,
    drop_for_load,
    estimated_rows,
    restore_after_load,
    vector_codec,
)
from persistence.seed.history import HISTORY_PER_DOCUMENT, load_history
from persistence.seed.scale_rows import (
    ANNOTATION_COLUMNS,
    DOCUMENT_COLUMNS,
    EDGE_COLUMNS,
    NODE_COLUMNS,
    TAG_COLUMNS,
    ScaleRows,
)
from persistence.settings import Settings
from persistence.user.models import Organization, User
from persistence.user.repository import OrganizationRepository, UserRepository

SCALE_SLUG = "scale"
SCALE_NAME = "Scale Benchmark"
SCALE_DOMAIN = "scale.example"
BATCH = 5_000
MAINTENANCE_WORK_MEM = "256MB"  # keeps the HNSW build of 50,000 vectors in memory
# Drop foreign keys and big indexes for a load, and restore them after, when it adds at least
# this many rows and at least a quarter of the table: checking and building everything at
# once then costs a fraction of doing it row by row.
REBUILD_MIN = 2_000

Progress = Callable[[str, int, int], None]


def _quiet(stage: str, done: int, total: int) -> None:
    """The default progress report: none."""


@dataclass(frozen=True)
class ScaleSummary:
    organization: Organization
    created: bool
    run: int
    logins: list[Login]
    counts: dict[str, int]


def batches(rows: Iterable[tuple[Any, ...]], size: int = BATCH) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


async def load_scale(
    session: AsyncSession,
    *,
    documents: int,
    settings: Settings,
    password: str | None = None,
    progress: Progress = _quiet,
    seed: int = 1,
) -> ScaleSummary:
    """Add `documents` documents, half as many nodes and five edges per node to `scale`."""
    if documents < 1:
        raise ValidationError("documents", "the number of documents must be at least 1")
    orgs = OrganizationRepository(session)
    org = await orgs.by_slug(SCALE_SLUG)
    created = org is None
    if org is None:
        org = await orgs.create(slug=SCALE_SLUG, name=SCALE_NAME)
    await scope_transaction(
        session, organization_id=org.id, statement_timeout_ms=settings.statement_timeout_ms
    )
    # A bulk load runs statements (index builds, ANALYZE) far longer than a request may.
    await session.execute(
        text(
            "SELECT set_config('statement_timeout', '0', true),"
            " set_config('maintenance_work_mem', :memory, true)"
        ),
        {"memory": MAINTENANCE_WORK_MEM},
    )
    scope = Scope.system(org.id)
    logins: list[Login] = []
    if created:
        users, logins = await create_accounts(
            session, scope, domain=SCALE_DOMAIN, settings=settings, password=password
        )
    else:
        users = await _existing_users(session, scope)
    run = 1 + await _runs_so_far(session, org.id)
    loader = _Loader(session, scope, users, progress)
    counts = await loader.load(random.Random(f"{seed}:{run}"), run, documents)
    rng = random.Random(f"{seed}:{run}:conversations")
    counts.update(
        await scale_conversations(session, scope, rng, users, documents, first_run=created)
    )
    progress("retrieval history", 0, 1)
    counts["retrieval_queries"] = await load_history(
        session, org.id, calls=documents * HISTORY_PER_DOCUMENT
    )
    progress("retrieval history", 1, 1)
    await AuditRepository(session, scope).record(
        action="organization.seed",
        entity_type="organization",
        entity_id=org.id,
        changes={"run": run, **counts},
    )
    progress("analyze", 0, 1)
    tables = "documents, document_tags, annotations, knowledge_nodes, knowledge_edges, messages"
    await session.execute(text(f"ANALYZE {tables}"))
    progress("analyze", 1, 1)
    return ScaleSummary(org, created, run, logins, counts)


async def _existing_users(session: AsyncSession, scope: Scope) -> list[User]:
    repository = UserRepository(session, scope)
    users = list((await session.scalars(repository.select().order_by(User.username))).all())
    if not users:
        raise ValidationError("organization", "organization `scale` has no live users to own rows")
    return users


async def _runs_so_far(session: AsyncSession, organization_id: uuid.UUID) -> int:
    """Root folders ever made here, deleted ones included, so a new run's name is free."""
    stmt = select(func.count()).where(
        Collection.organization_id == organization_id, Collection.parent_id.is_(None)
    )
    return await session.scalar(stmt) or 0


class _Loader:
    """One run: folders and tags through the repositories, everything else by COPY."""

    def __init__(
        self, session: AsyncSession, scope: Scope, users: list[User], progress: Progress
    ) -> None:
        self.session = session
        self.scope = scope
        self.owners = [u.id for u in users]
        self.progress = progress

    async def load(self, rng: random.Random, run: int, documents: int) -> dict[str, int]:
        folders, folder_count = await self._folders(run, documents)
        rows = ScaleRows(
            rng,
            organization_id=self.scope.organization_id,
            owners=self.owners,
            folders=folders,
            tags=await self._tags(documents),
            run=run,
        )
        counts = {"collections": folder_count}
        counts["documents"] = await self.bulk(
            "documents",
            Document,
            DOCUMENT_COLUMNS,
            rows.documents(documents),
            documents,
        )
        counts["tags on documents"] = await self.bulk(
            "tags on documents", DocumentTag, TAG_COLUMNS, rows.tag_links, len(rows.tag_links)
        )
        counts["annotations"] = await self.bulk(
            "annotations", Annotation, ANNOTATION_COLUMNS, rows.notes, len(rows.notes)
        )
        specs = graph.nodes(rng, documents // 2, [t.key for t in TOPICS])
        ids = [new_id() for _ in specs]
        async with vector_codec(self.session):
            counts["knowledge nodes"] = await self.bulk(
                "knowledge nodes",
                KnowledgeNode,
                NODE_COLUMNS,
                rows.nodes(specs, ids),
                len(ids),
            )
        edges = rows.edges(specs, ids, 5 * len(ids))
        counts["knowledge edges"] = await self.bulk(
            "knowledge edges", KnowledgeEdge, EDGE_COLUMNS, edges, 5 * len(ids)
        )
        return counts

    async def copy(
        self, stage: str, model: Any, columns: Sequence[str], rows: Iterable[Any], total: int
    ) -> int:
        """COPY `rows` batch by batch, reporting progress after each; returns the row count.

        The next batch is generated in a worker thread while the database takes the current
        one, so Python's text and vector generation overlaps PostgreSQL's work.
        """
        self.progress(stage, 0, total)
        chunks = batches(rows)
        pending = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
        done = 0
        try:
            while (batch := await pending) is not None:
                pending = asyncio.ensure_future(asyncio.to_thread(next, chunks, None))
                await copy_rows(self.session, model.__table__, columns, batch)
                done += len(batch)
                self.progress(stage, done, max(total, done))
        finally:
            pending.cancel()
        if done < total:
            self.progress(stage, done, done)
        return done

    async def bulk(
        self, stage: str, model: Any, columns: Sequence[str], rows: Iterable[Any], total: int
    ) -> int:
        """`copy`, with the table's foreign keys and secondary indexes dropped before and
        restored after, when the load is large next to the table."""
        table = model.__table__
        existing = await estimated_rows(self.session, table)
        large = total >= REBUILD_MIN and 3 * total >= existing
        dropped = await drop_for_load(self.session, table) if large else []
        count = await self.copy(stage, model, columns, rows, total)
        if dropped:
            restoring = f"{stage}: indexes, keys"
            self.progress(restoring, 0, 1)
            await restore_after_load(self.session, dropped)
            self.progress(restoring, 1, 1)
        return count

    async def _folders(self, run: int, documents: int) -> tuple[dict[str, list[uuid.UUID]], int]:
        """The run's root, the topic tree under it, and `Volume n` folders: one per 500 docs."""
        leaves = [t.collection for t in TOPICS]
        extra: list[Path] = []
        for i in range(max(0, documents // 500 - len(topic_paths()))):
            extra.append((*leaves[i % len(leaves)], f"Volume {i // len(leaves) + 1}"))
        root = new_id()
        rows, ids = collection_rows(self.owners[:2], parent_id=root, extra=extra)
        rows.insert(
            0,
            {
                "id": root,
                "owner_id": self.owners[0],
                "name": f"Run {run}",
                "description": f"Benchmark run {run}: {documents:,} documents.",
            },
        )
        await CollectionRepository(self.session, self.scope).create_many(rows)
        by_topic = {
            t.key: [ids[p] for p in ids if p[: len(t.collection)] == t.collection] for t in TOPICS
        }
        return by_topic, len(rows)

    async def _tags(self, documents: int) -> dict[str, list[uuid.UUID]]:
        """The topics' tags, and numbered variants of them: one tag per 1,000 documents."""
        names = {t.key: list(t.tags) for t in TOPICS}
        base = len({n for group in names.values() for n in group})
        for i in range(max(0, documents // 1000 - base)):
            topic = TOPICS[i % len(TOPICS)]
            names[topic.key].append(f"{topic.tags[i % len(topic.tags)]}-{i // len(TOPICS) + 2}")
        every = sorted({n for group in names.values() for n in group})
        tags = await TagRepository(self.session, self.scope).ensure(every)
        by_name = {t.name: t.id for t in tags}
        return {key: [by_name[n] for n in group] for key, group in names.items()}
