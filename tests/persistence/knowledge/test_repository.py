"""Knowledge nodes' embeddings and edges loaded per node."""

from __future__ import annotations

import math

import pytest
from sqlalchemy.exc import InvalidRequestError

from persistence.errors import ValidationError
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from tests.fixtures.statements import StatementCounter


async def test_an_embedding_is_stored_and_read_back(nodes: KnowledgeNodeRepository) -> None:
    vector = [i / EMBEDDING_DIMENSIONS for i in range(EMBEDDING_DIMENSIONS)]

    node = await nodes.create(label="Vectors", node_type="concept", embedding=vector)
    (loaded,) = await nodes.get_many([node.id])
    stored = await nodes.embedding_of(node.id)

    assert loaded is not None and loaded.has_embedding
    assert stored is not None
    assert [round(x, 5) for x in stored] == [round(x, 5) for x in vector]


async def test_rows_never_carry_the_embedding(nodes: KnowledgeNodeRepository) -> None:
    """It is large: reads leave it in the database, and touching it in Python is a bug."""
    node = await nodes.create(label="Big", node_type="concept", embedding=[0.5] * 384)
    (loaded,) = await nodes.get_many([node.id])

    with pytest.raises(InvalidRequestError):
        _ = loaded.embedding


@pytest.mark.parametrize(
    "embedding",
    [
        [0.0] * (EMBEDDING_DIMENSIONS - 1),
        [math.nan] * EMBEDDING_DIMENSIONS,
        [math.inf] + [0.0] * (EMBEDDING_DIMENSIONS - 1),
        ["x"] * EMBEDDING_DIMENSIONS,
    ],
)
async def test_bad_embeddings_are_validation_errors(
    nodes: KnowledgeNodeRepository, embedding: list[float]
) -> None:
    with pytest.raises(ValidationError) as raised:
        await nodes.create(label="Bad", node_type="concept", embedding=embedding)

    assert raised.value.field == "embedding"


async def test_updating_an_embedding_is_validated_too(nodes: KnowledgeNodeRepository) -> None:
    node = await nodes.create(label="N", node_type="concept")

    with pytest.raises(ValidationError):
        await nodes.update(node.id, expected_version=1, embedding=[1.0, 2.0])


async def test_edges_load_per_node_in_both_directions_in_one_statement_each(
    nodes: KnowledgeNodeRepository, edges: KnowledgeEdgeRepository, statements: StatementCounter
) -> None:
    a, b, c = await nodes.create_many(
        [{"label": n, "node_type": "concept"} for n in ("A", "B", "C")]
    )
    await edges.create_many(
        [
            {"source_id": a.id, "target_id": b.id, "edge_type": "related_to", "weight": 0.2},
            {"source_id": a.id, "target_id": c.id, "edge_type": "related_to", "weight": 0.9},
            {"source_id": b.id, "target_id": c.id, "edge_type": "depends_on"},
        ]
    )
    statements.reset()

    outgoing = await edges.touching([a.id, b.id, c.id], outgoing=True)
    incoming = await edges.touching([a.id, b.id, c.id], outgoing=False)

    assert statements.count == 2
    assert [e.target_id for e in outgoing[a.id]] == [c.id, b.id]  # heaviest first
    assert [e.source_id for e in incoming[c.id]] == [b.id, a.id]
    assert outgoing[c.id] == [] and incoming[a.id] == []
