"""The demo organization: people, folders, documents and a knowledge graph to explore.

Everything but the passwords is deterministic (one `random.Random(SEED)`), so screenshots
and docs stay true from one install to the next. Each table is written with one
`create_many`; the caller owns the transaction, so a failed load leaves nothing behind.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.audit.repository import AuditRepository
from persistence.collection.models import Visibility
from persistence.collection.repository import CollectionRepository
from persistence.database import scope_transaction
from persistence.document.models import Document, DocumentStatus
from persistence.document.repository import AnnotationRepository, DocumentRepository, TagRepository
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from persistence.seed import graph, text
from persistence.seed.accounts import Login, create_accounts
from persistence.seed.banks import TOPICS
from persistence.seed.collections import collection_rows
from persistence.seed.conversations import demo_conversations
from persistence.seed.resources import seed_resources
from persistence.seed.rows import DocumentTagRows
from persistence.seed.vectors import EmbeddingSpace
from persistence.settings import Settings
from persistence.user.models import Organization, User
from persistence.user.repository import OrganizationRepository

DEMO_SLUG = "demo"
DEMO_NAME = "Demo Organization"
DEMO_DOMAIN = "demo.example"
SEED = 20_250_101

STATUSES = (DocumentStatus.PUBLISHED, DocumentStatus.DRAFT, DocumentStatus.ARCHIVED)
STATUS_WEIGHTS = (6, 3, 1)
OWNER_WEIGHTS = (3, 6, 1)  # admin, editor, viewer
PRIVATE_SHARE = 0.08
DELETED_SHARE = 0.01
SOURCED_SHARE = 0.3


@dataclass(frozen=True)
class DemoSummary:
    organization: Organization
    logins: list[Login]
    counts: dict[str, int]


async def demo_exists(session: AsyncSession) -> bool:
    """Whether the demo organization is already loaded (seeding is then a no-op)."""
    return await OrganizationRepository(session).by_slug(DEMO_SLUG) is not None


async def load_demo(
    session: AsyncSession,
    *,
    settings: Settings,
    password: str | None = None,
    documents: int = 300,
    nodes: int = 300,
    edges: int = 600,
) -> DemoSummary:
    """Create the demo organization and its content in the caller's transaction."""
    rng = random.Random(SEED)
    org = await OrganizationRepository(session).create(slug=DEMO_SLUG, name=DEMO_NAME)
    # Row-level security reads the organization from the transaction: switch it to the new one.
    await scope_transaction(
        session, organization_id=org.id, statement_timeout_ms=settings.statement_timeout_ms
    )
    scope = Scope.system(org.id)
    users, logins = await create_accounts(
        session, scope, domain=DEMO_DOMAIN, settings=settings, password=password
    )
    admin, editor, _viewer = users
    rows, folders = collection_rows([admin.id, editor.id])
    await CollectionRepository(session, scope).create_many(rows)
    docs = await DocumentRepository(session, scope).create_many(
        _document_rows(rng, users, folders, documents)
    )
    tag_links = await _tag(session, scope, rng, docs)
    notes = await AnnotationRepository(session, scope).create_many(
        _annotation_rows(rng, users, docs)
    )
    node_count, edge_count = await _knowledge_graph(session, scope, rng, docs, nodes, edges)
    resources = await seed_resources(
        session, scope, rng, owner_ids=[admin.id, editor.id], document_ids=[d.id for d in docs]
    )
    counts = {
        "users": len(users),
        "collections": len(rows),
        "documents": len(docs),
        "tags on documents": tag_links,
        "annotations": len(notes),
        "knowledge nodes": node_count,
        "knowledge edges": edge_count,
        **await demo_conversations(session, scope, rng, users, docs),
        "resources": resources,
    }
    await AuditRepository(session, scope).record(
        action="organization.seed", entity_type="organization", entity_id=org.id, changes=counts
    )
    return DemoSummary(org, logins, counts)


def _document_rows(
    rng: random.Random, users: list[User], folders: dict[tuple[str, ...], uuid.UUID], total: int
) -> list[dict[str, Any]]:
    titles: set[str] = set()
    rows = []
    for _ in range(total):
        topic = rng.choice(TOPICS)
        doc = text.document(rng, topic)
        for _retry in range(5):  # prefer distinct titles; a rare repeat is harmless
            if doc.title not in titles:
                break
            doc = text.document(rng, topic)
        titles.add(doc.title)
        rows.append(
            {
                "collection_id": folders[topic.collection] if rng.random() > 0.05 else None,
                "owner_id": rng.choices(users, weights=OWNER_WEIGHTS)[0].id,
                "title": doc.title,
                "content": doc.content,
                "status": rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0],
                "visibility": (
                    Visibility.PRIVATE if rng.random() < PRIVATE_SHARE else Visibility.ORGANIZATION
                ),
                "metadata_": {
                    "topic": topic.key,
                    "subject": doc.subject,
                    "reading_minutes": max(1, len(doc.content.split()) // 200),
                },
                "deleted_at": datetime.now(UTC) if rng.random() < DELETED_SHARE else None,
            }
        )
    return rows


async def _tag(
    session: AsyncSession, scope: Scope, rng: random.Random, docs: list[Document]
) -> int:
    """All topic tags, each document tagged from its topic (plus a stray tag now and then)."""
    names = sorted({tag for topic in TOPICS for tag in topic.tags})
    tags = await TagRepository(session, scope).create_many([{"name": n} for n in names])
    by_name = {t.name: t.id for t in tags}
    topics = {t.key: t for t in TOPICS}
    links = []
    for doc in docs:
        own = topics[doc.metadata_["topic"]].tags
        chosen = set(rng.sample(own, rng.randint(1, min(3, len(own)))))
        if rng.random() < 0.2:
            chosen.add(rng.choice(names))
        links.extend({"document_id": doc.id, "tag_id": by_name[n]} for n in sorted(chosen))
    await DocumentTagRows(session, scope).create_many(links)
    return len(links)


def _annotation_rows(
    rng: random.Random, users: list[User], docs: list[Document]
) -> list[dict[str, Any]]:
    rows = []
    for doc in docs:
        if rng.random() < 0.4:
            for start, end, quote, body in text.annotations(rng, doc.content, rng.randint(1, 3)):
                author = rng.choice(users)
                rows.append(
                    {
                        "document_id": doc.id,
                        "author_id": author.id,
                        "start_offset": start,
                        "end_offset": end,
                        "quote": quote,
                        "body": body,
                    }
                )
    return rows


async def _knowledge_graph(
    session: AsyncSession,
    scope: Scope,
    rng: random.Random,
    docs: list[Document],
    node_total: int,
    edge_total: int,
) -> tuple[int, int]:
    """Nodes clustered by topic (embeddings too), some sourced from a document of that topic."""
    specs = graph.nodes(rng, node_total, [t.key for t in TOPICS])
    space = EmbeddingSpace(rng, f"demo-{SEED}")
    docs_by_topic: dict[str, list[uuid.UUID]] = {}
    for doc in docs:
        docs_by_topic.setdefault(doc.metadata_["topic"], []).append(doc.id)
    rows = []
    for spec in specs:
        candidates = docs_by_topic.get(spec.cluster)
        sourced = spec.node_type != "person" and candidates and rng.random() < SOURCED_SHARE
        rows.append(
            {
                "label": spec.label,
                "node_type": spec.node_type,
                "properties": spec.properties,
                "embedding": space.embed(spec.node_type, spec.cluster),
                "source_document_id": rng.choice(candidates) if sourced else None,
            }
        )
    created = await KnowledgeNodeRepository(session, scope).create_many(rows)
    links = [
        {
            "source_id": created[e.source].id,
            "target_id": created[e.target].id,
            "edge_type": e.edge_type,
            "weight": e.weight,
        }
        for e in graph.edges(rng, specs, edge_total)
    ]
    await KnowledgeEdgeRepository(session, scope).create_many(links)
    return len(created), len(links)
