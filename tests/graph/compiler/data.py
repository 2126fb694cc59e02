"""A small organization with every case the compiled path must get right.

PRIVATE rows of another user, soft-deleted rows, null relations, ties in sort keys,
timestamps whose fraction is zero or ends in zero, non-ASCII text, JSON with nested
values, fractional and integral edge weights, and an edge hidden by a deleted node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from persistence.audit.repository import AuditRepository
from persistence.collection.models import Visibility
from persistence.collection.repository import CollectionRepository
from persistence.database import Database
from persistence.document.models import DocumentStatus
from persistence.document.repository import AnnotationRepository, DocumentRepository, TagRepository
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from persistence.user.credentials import ApiKeyRepository
from tests.graph.conftest import World

NOON = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
TRAILING_ZERO = datetime(2024, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)


@dataclass
class Corpus:
    ids: dict[str, Any] = field(default_factory=dict)


async def build(world: World, database: Database) -> Corpus:
    corpus = Corpus()
    editor, viewer = world.editor.user, world.viewer.user
    async with database.transaction() as session:
        scope = Scope.system(world.organization.id)
        collections = CollectionRepository(session, scope)
        alpha, secret, gone = await collections.create_many(
            [
                {"name": "Alpha", "owner_id": editor.id, "color": "#ff0000"},
                {"name": "Secret", "owner_id": editor.id, "visibility": Visibility.PRIVATE},
                {"name": "Gone", "owner_id": viewer.id},
            ]
        )
        (beta,) = await collections.create_many(
            [{"name": "Beta", "owner_id": viewer.id, "parent_id": alpha.id}]
        )
        # below a PRIVATE and a deleted collection: ancestors and subtree counts skip them
        _, _, gamma = await collections.create_many(
            [
                {"name": "Under secret", "owner_id": viewer.id, "parent_id": secret.id},
                {"name": "Under gone", "owner_id": viewer.id, "parent_id": gone.id},
                {"name": "Gamma", "owner_id": editor.id, "parent_id": beta.id},
            ]
        )
        # ancestors shared by several rows of a page, and by several ancestors' ancestors
        await collections.create_many(
            [{"name": "Delta", "owner_id": editor.id, "parent_id": gamma.id}]
        )
        await collections.soft_delete(gone.id)
        documents = DocumentRepository(session, scope)
        rows = [
            {
                "title": "Same",
                "content": "Release notes: the plan <b>ships</b> & the plan works.",
                "owner_id": editor.id,
                "collection_id": alpha.id,
                "created_at": NOON,
            },
            {
                "title": "Same",
                "content": "Release notes: the plan <b>ships</b> & the plan works.",
                "owner_id": viewer.id,
                "collection_id": alpha.id,
                "created_at": NOON,
            },
            {
                "title": "Same plan",
                "content": "no notes",
                "owner_id": editor.id,
                "created_at": NOON,
            },
            {
                "title": 'Ünïcødé ✓ "quoted" \\ back',
                "owner_id": editor.id,
                "collection_id": beta.id,
                "metadata_": {"b": 1, "a": [1.5, "x", None], "nested": {"z": True}},
                "created_at": TRAILING_ZERO,
                "status": DocumentStatus.PUBLISHED,
            },
            {
                "title": "Private plan",
                "content": "The secret plan \ue000 with a forged mark.",
                "owner_id": editor.id,
                "collection_id": secret.id,
                "visibility": Visibility.PRIVATE,
            },
            {"title": "Deleted", "owner_id": viewer.id, "collection_id": alpha.id},
            *({"title": f"Filler {i}", "owner_id": viewer.id} for i in range(5)),
        ]
        created = await documents.create_many(rows)
        await documents.soft_delete(created[5].id)
        tags = TagRepository(session, scope)
        red, blue = await tags.ensure(["red", "blue"])
        await tags.tag_document(created[0].id, [red.id, blue.id])
        await tags.tag_document(created[4].id, [red.id])
        await AnnotationRepository(session, scope).create_many(
            [
                {
                    "document_id": d.id,
                    "author_id": editor.id,
                    "start_offset": offset,
                    "end_offset": offset + 3,
                    "body": f"note {offset}",
                }
                for d in (created[0], created[4])
                for offset in (4, 0)
            ]
        )
        nodes = await KnowledgeNodeRepository(session, scope).create_many(
            [
                {"label": "A", "node_type": "concept", "source_document_id": created[0].id},
                {"label": "B", "node_type": "concept", "properties": {"y": 2, "x": [1]}},
                {"label": "C", "node_type": "person", "source_document_id": created[4].id},
                {"label": "D", "node_type": "person"},
            ]
        )
        a, b, c, d = nodes
        await KnowledgeEdgeRepository(session, scope).create_many(
            [
                {"source_id": a.id, "target_id": b.id, "edge_type": "rel", "weight": 1.0},
                {"source_id": a.id, "target_id": c.id, "edge_type": "rel", "weight": 0.3},
                {"source_id": b.id, "target_id": c.id, "edge_type": "dep", "weight": 0.3},
                {"source_id": c.id, "target_id": d.id, "edge_type": "dep", "weight": 0.125},
            ]
        )
        await KnowledgeNodeRepository(session, scope).soft_delete(d.id)
        audit = AuditRepository(session, scope)
        events = [
            await audit.record(
                action="documentUpdate",
                entity_type="Document",
                entity_id=created[0].id,
                changes={"title": {"old": "x", "new": "Same"}},
                actor_id=editor.id,
                request_id="r-1",
            ),
            await audit.record(action="logout", entity_type="Session", entity_id=None),
        ]
        keys = ApiKeyRepository(session, scope)
        _, ci = await keys.issue(editor.id, name="ci", scopes=["write", "read"])
        _, bot = await keys.issue(viewer.id, name="bot", scopes=["read"])
    corpus.ids.update(
        alpha=alpha.id,
        beta=beta.id,
        secret=secret.id,
        gone=gone.id,
        documents=created,
        nodes=nodes,
        tags=[red.id, blue.id],
        events=[e.id for e in events],
        keys=[ci.id, bot.id],
    )
    return corpus
