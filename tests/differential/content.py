"""The content rows of one organization of the differential dataset (see dataset.py).

The soft-deleted user still owns a document: owners stay on the record after their account
is deleted (`UserOnRecordByIdLoader`).

Both organizations get the same shapes, so the other organization's rows are lookalikes a
scoping bug would leak. Timestamps tie on purpose (see `at(...)` values repeated) so the id
must break ties the same way on both paths.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from persistence.audit.repository import AuditRepository
from persistence.collection.repository import CollectionRepository
from persistence.document.repository import AnnotationRepository, DocumentRepository, TagRepository
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from persistence.user.credentials import ApiKeyRepository
from persistence.user.models import User
from tests.differential.resources import write_resources
from tests.differential.values import Dataset, at, unit_vector

# key: (name, parent, owner, visibility, created, updated, deleted); parents come first.
COLLECTIONS = {
    "eng": ("Engineering", None, "boss", "ORGANIZATION", 10, 10, False),
    "handbook": ("Handbook", None, "editor", "ORGANIZATION", 10, 20.5, False),
    "desk": ("Editor's desk", None, "editor", "PRIVATE", 11.25, 11.25, False),
    "archive": ("Archive", None, "boss", "ORGANIZATION", 12, 12, True),
    "notes": ("Notes", None, "both", "ORGANIZATION", 12, 13, False),
    "backend": ("Backend", "eng", "editor", "ORGANIZATION", 13, 13, False),
    "eng-notes": ("Notes", "eng", "boss", "ORGANIZATION", 13, 13, False),
    "old": ("Old", "handbook", "editor", "ORGANIZATION", 14, 14, True),
    "drafts": ("Drafts", "desk", "editor", "ORGANIZATION", 14, 14.5, False),
    "in-archive": ("Inside the archive", "archive", "boss", "ORGANIZATION", 15, 15, False),
    "databases": ("Databases", "backend", "editor", "ORGANIZATION", 16, 16, False),
    "plans": ("Secret plans", "backend", "editor", "PRIVATE", 16, 16, False),
    "gone": ("Gone", "backend", "editor", "ORGANIZATION", 17, 17, True),
    "deep": ("Deep drafts", "drafts", "editor", "ORGANIZATION", 17.000001, 18, False),
}

# key: (title, content, owner, collection, status, visibility, created, updated, deleted)
DOCUMENTS = {
    "runbook": ("Runbook", "How to restart postgres during a database migration.", "editor",
                "backend", "PUBLISHED", "ORGANIZATION", 100, 100, False),
    "runbook-2": ("Runbook", "The ops runbook for whoever is on call.", "boss", "databases",
                  "PUBLISHED", "ORGANIZATION", 100, 100, False),
    "runbook-lower": ("runbook", "lower case, no collection", "both", None, "DRAFT",
                      "ORGANIZATION", 101.5, 200, False),
    "secret": ("Secret plan", "The secret strategy: a draft plan.", "boss", "eng", "DRAFT",
               "PRIVATE", 102, 200, False),
    "diary": ("Editor diary", "Dear diary, the release is late.", "editor", None, "DRAFT",
              "PRIVATE", 102, 200.25, False),
    "deleted": ("Deleted doc", "Nobody should see this postgres text.", "editor", "backend",
                "PUBLISHED", "ORGANIZATION", 103, 103, True),
    "release": ("Release notes", "Release notes for the database release.", "editor",
                "eng-notes", "ARCHIVED", "ORGANIZATION", 104.000001, 104.000001, False),
    "zebra": ("Zebra", "Stripes.", "boss", None, "PUBLISHED", "ORGANIZATION", 105, 105, False),
    "unicode": ("Ünïcode & <html>", 'He said "hi"\n\ttab \\ back\u2028line', "both", "notes",
                "PUBLISHED", "ORGANIZATION", 105, 106, False),
    "in-desk": ("In a private collection", "ops notes", "editor", "desk", "PUBLISHED",
                "ORGANIZATION", 106, 106, False),
    "in-archive": ("In a deleted collection", "archived ops", "boss", "archive", "PUBLISHED",
                   "ORGANIZATION", 106, 106, False),
    "in-plans": ("Plan B", "a plan in a private sub-collection", "editor", "plans", "DRAFT",
                 "ORGANIZATION", 107, 107, False),
    "inactive-tips": ("By an inactive user", "postgres tips", "inactive", "handbook",
                      "PUBLISHED", "ORGANIZATION", 108, 108, False),
    "inactive": ("Plan", "draft plan of an inactive user", "inactive", "handbook",
                 "PUBLISHED", "ORGANIZATION", 108, 108, False),
    "deleted-private": ("Deleted and private", "secret", "editor", "databases", "DRAFT",
                        "PRIVATE", 109, 109, True),
    "removed": ("By a removed user", "still on the record", "removed", "handbook",
                "PUBLISHED", "ORGANIZATION", 109.5, 109.5, False),
    **{
        f"filler-{i}": (f"Doc {i // 2:02d}", f"filler text {i}", "boss", "handbook",
                        "PUBLISHED", "ORGANIZATION", 110 + i // 2, 110 + i // 3, False)
        for i in range(7)
    },
}  # fmt: skip

METADATA = {
    "runbook": {"b": 1, "a": [1, 2.5, None, "x"], "nested": {"z": True, "k": "v"}},
    "runbook-2": {"big": 12345678901234567890, "ratio": 0.30000000000000004, "tiny": 1e-7},
    "unicode": {"ü": "\u2028", "empty": {}, "list": []},
}

TAGS = {"ops": 50, "Database": 50, "search": 51.5, "unused": 52, "Runbooks": 52}
TAGGINGS = {
    "runbook": ["ops", "Database"],
    "runbook-2": ["ops"],
    "secret": ["ops"],
    "deleted": ["search"],
    "release": ["Database", "search"],
    "zebra": ["Runbooks"],
    "in-desk": ["ops"],
}

# (document, author, start, end, body, created)
ANNOTATIONS = [
    ("runbook", "viewer", 0, 6, "intro", 150),
    ("runbook", "inactive", 0, 6, "same span", 150),
    ("runbook", "editor", 7, 14, "why restart?", 151.75),
    ("secret", "boss", 4, 10, "private note", 152),
    ("deleted", "editor", 0, 3, "on a deleted doc", 153),
    ("release", "both", 0, 7, "nice", 153),
]

# key: (label, type, source document, embedding hot dims, created, deleted)
NODES = {
    "pg": ("Postgres", "concept", "runbook", (0,), 300, False),
    "pg-lower": ("postgres", "concept", "secret", (0, 1), 300, False),
    "alice": ("Alice", "person", None, (1,), 301, False),
    "migration": ("Migration", "concept", "deleted", None, 302.5, False),
    "removed": ("Removed node", "concept", None, (0,), 303, True),
    "ops": ("Ops", "team", "zebra", (2,), 303, False),
    "isolated": ("Isolated", "concept", None, None, 304, False),
}

# (source, target, type, weight, created, deleted)
EDGES = [
    ("pg", "alice", "mentions", 0.5, 400, False),
    ("alice", "pg", "related_to", 0.5, 400, False),
    ("pg", "migration", "depends_on", 0.25, 401, False),
    ("migration", "ops", "depends_on", 1.0, 402, False),
    ("pg", "removed", "mentions", 0.75, 402, False),
    ("pg-lower", "pg", "mentions", 0.5, 403, True),
    ("ops", "alice", "mentions", 0.0, 404, False),
    ("pg", "ops", "depends_on", 0.333, 404, False),
]


async def write_content(
    session: AsyncSession, scope: Scope, dataset: Dataset, users: dict[str, User]
) -> None:
    """Write one organization's content; `users` holds admin or outsider, editor, viewer..."""
    people = {**users, "boss": users.get("admin") or users["outsider"]}
    people.setdefault("both", people["editor"])
    people.setdefault("inactive", people["viewer"])
    collections = await _collections(CollectionRepository(session, scope), people)
    dataset.remember("Collection", list(collections.values()), "name", "created_at")
    documents = await DocumentRepository(session, scope).create_many(
        [_document(key, spec, people, collections) for key, spec in DOCUMENTS.items()]
    )
    docs = dict(zip(DOCUMENTS, documents, strict=True))
    dataset.remember("Document", documents, "title", "created_at", "updated_at")
    await _tags(TagRepository(session, scope), dataset, docs)
    annotations = await AnnotationRepository(session, scope).create_many(
        [
            {"document_id": docs[d].id, "author_id": people[a].id, "start_offset": s,
             "end_offset": e, "quote": docs[d].content[s:e], "body": body,
             "created_at": at(c), "updated_at": at(c)}
            for d, a, s, e, body, c in ANNOTATIONS
        ]
    )  # fmt: skip
    dataset.remember("Annotation", annotations)
    nodes = await _graph(session, scope, dataset, docs)
    await write_resources(session, scope, dataset, people, docs, nodes)
    await _audit(AuditRepository(session, scope), dataset, people, docs, collections)
    keys = ApiKeyRepository(session, scope)
    _, ci = await keys.issue(people["editor"].id, name="ci", scopes=["read"], expires_at=at(9e6))
    _, deploy = await keys.issue(people["boss"].id, name="deploy", scopes=["read", "write"])
    dataset.remember("ApiKey", [ci, deploy])


async def _collections(repository: CollectionRepository, people: dict[str, User]) -> dict:
    rows: dict[str, Any] = {}
    for key, (name, parent, owner, visibility, created, updated, deleted) in COLLECTIONS.items():
        (rows[key],) = await repository.create_many(
            [
                {
                    "name": name,
                    "parent_id": rows[parent].id if parent else None,
                    "owner_id": people[owner].id,
                    "visibility": visibility,
                    "description": f"All about {name.lower()}",
                    "color": "#AbCdEf" if len(rows) % 3 == 0 else None,
                    "icon": "folder" if len(rows) % 2 == 0 else None,
                    "created_at": at(created),
                    "updated_at": at(updated),
                    "deleted_at": at(updated + 1000) if deleted else None,
                }
            ]
        )
    return rows


def _document(key: str, spec: tuple, people: dict[str, User], collections: dict) -> dict:
    title, content, owner, collection, status, visibility, created, updated, deleted = spec
    return {
        "title": title,
        "content": content,
        "owner_id": people[owner].id,
        "collection_id": collections[collection].id if collection else None,
        "status": status,
        "visibility": visibility,
        "metadata_": METADATA.get(key, {}),
        "created_at": at(created),
        "updated_at": at(updated),
        "deleted_at": at(updated + 1000) if deleted else None,
    }


async def _tags(repository: TagRepository, dataset: Dataset, docs: dict) -> None:
    tags = await repository.create_many(
        [{"name": name, "created_at": at(c), "updated_at": at(c)} for name, c in TAGS.items()]
    )
    by_name = dict(zip(TAGS, tags, strict=True))
    for doc, names in TAGGINGS.items():
        await repository.tag_document(docs[doc].id, [by_name[n].id for n in names])
    dataset.remember("Tag", tags, "name")


async def _graph(session: AsyncSession, scope: Scope, dataset: Dataset, docs: dict) -> dict:
    created = await KnowledgeNodeRepository(session, scope).create_many(
        [
            {"label": label, "node_type": kind, "properties": {"rank": i, "label": label},
             "source_document_id": docs[source].id if source else None,
             "embedding": unit_vector(*hot) if hot else None,
             "created_at": at(c), "updated_at": at(c + i % 2),
             "deleted_at": at(c + 1000) if deleted else None}
            for i, (label, kind, source, hot, c, deleted) in enumerate(NODES.values())
        ]
    )  # fmt: skip
    nodes = dict(zip(NODES, created, strict=True))
    dataset.remember("KnowledgeNode", created, "label", "created_at")
    edges = await KnowledgeEdgeRepository(session, scope).create_many(
        [
            {"source_id": nodes[s].id, "target_id": nodes[t].id, "edge_type": kind,
             "weight": weight, "properties": {"w": weight}, "created_at": at(c),
             "updated_at": at(c), "deleted_at": at(c + 1000) if deleted else None}
            for s, t, kind, weight, c, deleted in EDGES
        ]
    )  # fmt: skip
    dataset.remember("KnowledgeEdge", edges, "created_at", "weight")
    return nodes


async def _audit(
    repository: AuditRepository, dataset: Dataset, people: dict, docs: dict, collections: dict
) -> None:
    events = [
        ("documentCreate", "Document", docs["runbook"].id, "editor", 500),
        ("documentUpdate", "Document", docs["runbook"].id, "editor", 500),
        ("userCreate", "User", people["removed"].id, "boss", 501.5),
        ("documentDelete", "Document", docs["deleted"].id, "removed", 502),
        ("login", "User", None, None, 503),
        ("collectionCreate", "Collection", collections["desk"].id, "editor", 503),
    ]
    rows = await repository.create_many(
        [
            {"action": action, "entity_type": kind, "entity_id": entity,
             "changes": {"title": {"old": None, "new": f"v{i}"}} if i % 2 else {},
             "actor_id": people[actor].id if actor else None,
             "request_id": f"req-{i}" if i % 3 else None,
             "client_address": "127.0.0.1" if i % 2 else None,
             "created_at": at(c), "updated_at": at(c)}
            for i, (action, kind, entity, actor, c) in enumerate(events)
        ]
    )  # fmt: skip
    dataset.remember("AuditEvent", rows, "created_at")
