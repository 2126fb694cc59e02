"""The resources of one organization of the differential dataset: quality and usage tie on
purpose, one resource is deleted, and links reach a PRIVATE document and a deleted node."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.resource.models import ResourceKind
from persistence.resource.repository import ResourceRepository
from persistence.scope import Scope
from tests.differential.values import Dataset, at

# key: (title, kind, quality, uses, owner, created, deleted, documents, nodes)
RESOURCES = {
    "talk": ("Postgres talk", ResourceKind.VIDEO, 0.9, 12, "editor", 500, False,
             ("runbook", "secret"), ("pg",)),
    "dump": ("Sample dump", ResourceKind.DATASET, 0.5, 12, "boss", 500, False,
             ("runbook",), ("pg", "alice", "removed")),
    "wiki": ("Ops wiki", ResourceKind.WEB_PAGE, 0.5, 0, "editor", 501.5, False, (), ()),
    "gone": ("Old slides", ResourceKind.OTHER, 0.1, 3, "editor", 502, True, ("runbook",), ()),
}  # fmt: skip


async def write_resources(
    session: AsyncSession,
    scope: Scope,
    dataset: Dataset,
    people: dict[str, Any],
    docs: dict[str, Any],
    nodes: dict[str, Any],
) -> None:
    repository = ResourceRepository(session, scope)
    rows = await repository.create_many(
        [
            {"title": title, "kind": kind, "quality_score": quality, "usage_count": uses,
             "url": f"https://resources.example/{key}?q=1", "owner_id": people[owner].id,
             "description": f"About {title.lower()}", "created_at": at(created),
             "updated_at": at(created), "deleted_at": at(created + 1000) if deleted else None}
            for key, (title, kind, quality, uses, owner, created, deleted, _, _) in
            RESOURCES.items()
        ]
    )  # fmt: skip
    for row, (*_, documents, linked) in zip(rows, RESOURCES.values(), strict=True):
        await repository.link(
            row.id,
            document_ids=[docs[d].id for d in documents],
            node_ids=[nodes[n].id for n in linked],
        )
    dataset.remember("Resource", rows, "title", "quality_score")
