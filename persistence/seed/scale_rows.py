"""The rows of one benchmark run as COPY-ready tuples, generated lazily and deterministically."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from persistence.collection.models import Visibility
from persistence.ids import new_id
from persistence.seed import graph
from persistence.seed.banks import TOPICS, Topic
from persistence.seed.demo import OWNER_WEIGHTS, STATUS_WEIGHTS, STATUSES
from persistence.seed.text import TextPool, annotations
from persistence.seed.vectors import EmbeddingSpace

DOCUMENT_COLUMNS = (
    "organization_id",
    "id",
    "collection_id",
    "owner_id",
    "title",
    "content",
    "status",
    "visibility",
    "metadata",
)
TAG_COLUMNS = ("organization_id", "id", "document_id", "tag_id")
ANNOTATION_COLUMNS = (
    "organization_id",
    "id",
    "document_id",
    "author_id",
    "start_offset",
    "end_offset",
    "quote",
    "body",
)
NODE_COLUMNS = (
    "organization_id",
    "id",
    "label",
    "node_type",
    "properties",
    "embedding",
    "source_document_id",
)
EDGE_COLUMNS = ("organization_id", "id", "source_id", "target_id", "edge_type", "weight")

ANNOTATED_SHARE = 0.1
PRIVATE_SHARE = 0.08
SOURCED_SHARE = 0.3


class ScaleRows:
    """Documents first; their tag links and annotations are collected on the way, and the
    knowledge nodes then point at documents of their own topic."""

    def __init__(
        self,
        rng: random.Random,
        *,
        organization_id: uuid.UUID,
        owners: Sequence[uuid.UUID],
        folders: dict[str, list[uuid.UUID]],
        tags: dict[str, list[uuid.UUID]],
        run: int,
    ) -> None:
        self.rng = rng
        self.org = organization_id
        self.owners = list(owners)
        self.owner_weights = [OWNER_WEIGHTS[i % len(OWNER_WEIGHTS)] for i in range(len(owners))]
        self.folders = folders
        self.tags = tags
        self.run = run
        self.docs_by_topic: dict[str, list[uuid.UUID]] = {}
        self.tag_links: list[tuple[Any, ...]] = []
        self.notes: list[tuple[Any, ...]] = []

    def documents(self, total: int) -> Iterator[tuple[Any, ...]]:
        """`total` document rows; fills `tag_links`, `notes` and `docs_by_topic` as it goes."""
        rng, org = self.rng, self.org
        pool = TextPool(rng, TOPICS)
        for _ in range(total):
            topic = rng.choice(TOPICS)
            title, content = pool.document(topic)
            doc_id = new_id()
            self.docs_by_topic.setdefault(topic.key, []).append(doc_id)
            self._link(doc_id, topic)
            if rng.random() < ANNOTATED_SHARE:
                for start, end, quote, body in annotations(rng, content, rng.randint(1, 2)):
                    author = rng.choice(self.owners)
                    self.notes.append((org, new_id(), doc_id, author, start, end, quote, body))
            private = rng.random() < PRIVATE_SHARE
            yield (
                org,
                doc_id,
                rng.choice(self.folders[topic.key]),
                rng.choices(self.owners, weights=self.owner_weights)[0],
                title,
                content,
                rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0].value,
                (Visibility.PRIVATE if private else Visibility.ORGANIZATION).value,
                json.dumps({"topic": topic.key, "reading_minutes": len(content) // 1200 + 1}),
            )

    def _link(self, doc_id: uuid.UUID, topic: Topic) -> None:
        group = self.tags[topic.key]
        for tag_id in self.rng.sample(group, min(len(group), self.rng.randint(1, 3))):
            self.tag_links.append((self.org, new_id(), doc_id, tag_id))

    def nodes(self, specs: Sequence[graph.NodeSpec], ids: Sequence[uuid.UUID]) -> Iterator[Any]:
        """Node rows with embeddings clustered by type and topic; some cite a document."""
        rng = self.rng
        space = EmbeddingSpace(rng, "scale")
        for spec, node_id in zip(specs, ids, strict=True):
            candidates = self.docs_by_topic.get(spec.cluster)
            sourced = spec.node_type != "person" and candidates and rng.random() < SOURCED_SHARE
            yield (
                self.org,
                node_id,
                spec.label,
                spec.node_type,
                json.dumps({**spec.properties, "run": self.run}),
                space.embed(spec.node_type, spec.cluster),
                rng.choice(candidates) if sourced else None,
            )

    def edges(
        self, specs: Sequence[graph.NodeSpec], ids: Sequence[uuid.UUID], total: int
    ) -> Iterator[tuple[Any, ...]]:
        for e in graph.edges(self.rng, specs, total):
            yield (self.org, new_id(), ids[e.source], ids[e.target], e.edge_type, e.weight)
