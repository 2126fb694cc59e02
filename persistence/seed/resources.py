"""The demo's resources: a few external materials of every kind, linked to documents and
knowledge nodes, with varied quality and use."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.knowledge.models import KnowledgeNode
from persistence.resource.models import ResourceKind
from persistence.resource.repository import ResourceRepository
from persistence.scope import Scope

RESOURCES = (
    ("PostgreSQL documentation", ResourceKind.WEB_PAGE, "https://www.postgresql.org/docs/"),
    ("Intro to GraphQL (talk)", ResourceKind.VIDEO, "https://graphql.org/learn/"),
    ("On-call podcast, episode 12", ResourceKind.AUDIO, "https://podcasts.example/oncall/12"),
    ("Architecture diagram", ResourceKind.IMAGE, "https://static.example/arch.png"),
    ("Incident dataset 2025", ResourceKind.DATASET, "https://data.example/incidents.csv"),
    ("Team charter (PDF)", ResourceKind.OTHER, "https://files.example/charter.pdf"),
)
LINKS_PER_RESOURCE = 3


async def seed_resources(
    session: AsyncSession,
    scope: Scope,
    rng: random.Random,
    *,
    owner_ids: Sequence[uuid.UUID],
    document_ids: Sequence[uuid.UUID],
) -> int:
    """Write the resources and their links; a few statements in all."""
    repository = ResourceRepository(session, scope)
    created = await repository.create_many(
        [
            {
                "title": title,
                "kind": kind,
                "url": url,
                "description": f"{kind.value.replace('_', ' ').lower()} for the team",
                "quality_score": round(rng.uniform(0.3, 1.0), 2),
                "usage_count": rng.randrange(0, 50),
                "owner_id": rng.choice(owner_ids),
            }
            for title, kind, url in RESOURCES
        ]
    )
    node_ids = list(
        await session.scalars(
            select(KnowledgeNode.id)
            .where(KnowledgeNode.organization_id == scope.organization_id)
            .order_by(KnowledgeNode.id)
            .limit(50)
        )
    )
    for resource in created:
        await repository.link(
            resource.id,
            document_ids=rng.sample(list(document_ids), min(LINKS_PER_RESOURCE, len(document_ids))),
            node_ids=rng.sample(node_ids, min(LINKS_PER_RESOURCE, len(node_ids))),
        )
    return len(created)
