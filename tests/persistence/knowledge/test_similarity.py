"""Similarity search: exact answers on a small purpose-built set, and the HNSW index at a
realistic size."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable

from persistence.database import scope_transaction
from persistence.errors import ValidationError
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.knowledge.repository import KnowledgeNodeRepository
from persistence.knowledge.similarity import KnowledgeSimilarity
from persistence.scope import Scope
from persistence.user.repository import OrganizationRepository

HNSW_INDEX = "ix_knowledge_nodes_embedding_hnsw"
BULK_NODES = 20_000
RARE_NODES = 5


class Explain(Executable, ClauseElement):
    """`EXPLAIN <statement>` with the statement's own bound parameters."""

    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN " + compiler.process(element.statement, **kw)


def at(degrees: float) -> list[float]:
    """A unit vector in the first plane, `degrees` away from the first axis: its cosine
    distance to the first axis is exactly `1 - cos(degrees)`."""
    radians = math.radians(degrees)
    return [math.cos(radians), math.sin(radians)] + [0.0] * (EMBEDDING_DIMENSIONS - 2)


AXIS = at(0)


def found(similar: list[Any]) -> list[tuple[str, float]]:
    return [(s.node.label, round(s.distance, 4)) for s in similar]


@pytest.fixture
def similarity(session: AsyncSession, scope: Scope) -> KnowledgeSimilarity:
    return KnowledgeSimilarity(session, scope)


async def test_nodes_come_back_nearest_first_with_their_cosine_distance(
    nodes: KnowledgeNodeRepository, similarity: KnowledgeSimilarity
) -> None:
    await nodes.create_many(
        [
            {"label": f"{d}°", "node_type": "concept", "embedding": at(d)}
            for d in (120, 0, 90, 30, 180, 60)
        ]
        + [{"label": "no embedding", "node_type": "concept"}]
    )

    nearest = await similarity.nearest(AXIS, first=4)
    every = await similarity.nearest(AXIS, first=100)

    assert found(nearest) == [("0°", 0.0), ("30°", 0.134), ("60°", 0.5), ("90°", 1.0)]
    assert [label for label, _ in found(every)] == ["0°", "30°", "60°", "90°", "120°", "180°"]
    assert found(every)[-1] == ("180°", 2.0)


async def test_node_types_narrow_the_candidates(
    nodes: KnowledgeNodeRepository, similarity: KnowledgeSimilarity
) -> None:
    await nodes.create_many(
        [
            {"label": "concept 10°", "node_type": "concept", "embedding": at(10)},
            {"label": "person 20°", "node_type": "person", "embedding": at(20)},
            {"label": "project 30°", "node_type": "project", "embedding": at(30)},
            {"label": "person 40°", "node_type": "person", "embedding": at(40)},
        ]
    )

    people = await similarity.nearest(AXIS, first=10, node_types=["person", "project"])
    nothing = await similarity.nearest(AXIS, first=10, node_types=[])

    assert [s.node.label for s in people] == ["person 20°", "project 30°", "person 40°"]
    assert nothing == []


async def test_similar_to_a_node_leaves_the_node_itself_out(
    nodes: KnowledgeNodeRepository, similarity: KnowledgeSimilarity
) -> None:
    origin, near, far = await nodes.create_many(
        [
            {"label": label, "node_type": "concept", "embedding": at(d)}
            for label, d in (("origin", 50), ("near", 45), ("far", 170))
        ]
    )

    similar = await similarity.similar_to(origin.id, first=10)

    assert [s.node.id for s in similar] == [near.id, far.id]
    assert similar[0].distance == pytest.approx(1 - math.cos(math.radians(5)), abs=1e-6)


async def test_deleted_nodes_and_other_organizations_nodes_are_never_similar(
    session: AsyncSession, nodes: KnowledgeNodeRepository, similarity: KnowledgeSimilarity
) -> None:
    live, gone = await nodes.create_many(
        [
            {"label": "live", "node_type": "concept", "embedding": at(30)},
            {"label": "gone", "node_type": "concept", "embedding": at(1)},
        ]
    )
    await nodes.soft_delete(gone.id)
    other = await OrganizationRepository(session).create(slug="other-org", name="Other")
    await KnowledgeNodeRepository(session, Scope.system(other.id)).create(
        label="theirs", node_type="concept", embedding=at(0)
    )

    similar = await similarity.nearest(AXIS, first=10)

    assert [s.node.id for s in similar] == [live.id]
    assert await similarity.similar_to(gone.id, first=10) == []


async def test_a_node_without_an_embedding_or_one_not_there_has_no_similar_nodes(
    nodes: KnowledgeNodeRepository, similarity: KnowledgeSimilarity
) -> None:
    bare, _ = await nodes.create_many(
        [
            {"label": "bare", "node_type": "concept"},
            {"label": "vector", "node_type": "concept", "embedding": at(0)},
        ]
    )

    assert await similarity.similar_to(bare.id, first=10) == []
    assert await similarity.similar_to(uuid.uuid4(), first=10) == []


@pytest.mark.parametrize(
    ("vector", "first", "field"),
    [
        ([1.0, 2.0], 10, "vector"),
        ([math.nan] * EMBEDDING_DIMENSIONS, 10, "vector"),
        ([1e39] * EMBEDDING_DIMENSIONS, 10, "vector"),
        ([0.0] * EMBEDDING_DIMENSIONS, 10, "vector"),
        (AXIS, 0, "first"),
        (AXIS, 101, "first"),
    ],
)
async def test_bad_vectors_and_sizes_are_validation_errors(
    similarity: KnowledgeSimilarity, vector: list[float], first: int, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await similarity.nearest(vector, first=first)

    assert raised.value.field == field


async def test_the_search_tunes_its_transaction_for_filtered_hnsw_scans(
    session: AsyncSession, similarity: KnowledgeSimilarity
) -> None:
    await similarity.nearest(AXIS, first=100)

    settings = await session.execute(
        text("SELECT current_setting('hnsw.ef_search'), current_setting('hnsw.iterative_scan')")
    )

    assert settings.one() == ("200", "relaxed_order")


async def _bulk_load(session: AsyncSession, scope: Scope) -> None:
    """BULK_NODES nodes of four types with random embeddings, plus RARE_NODES of a rare type,
    computed in SQL. As for any bulk load, the HNSW index is built after the rows are in
    (from its own definition, so the migration's index is what is tested): inserting 20k
    random vectors one by one into the graph takes ten times longer. The test's outer
    transaction rolls all of it back, index included."""
    await session.execute(
        text(
            "SELECT set_config('statement_timeout', '120s', true),"
            " set_config('maintenance_work_mem', '256MB', true)"
        )
    )
    definition = await session.scalar(
        text("SELECT pg_get_indexdef(CAST(:index AS regclass))"), {"index": HNSW_INDEX}
    )
    await session.execute(text(f"DROP INDEX {HNSW_INDEX}"))
    await session.execute(
        text(
            "INSERT INTO knowledge_nodes (organization_id, id, label, node_type, embedding)"
            " SELECT :org, gen_random_uuid(), 'n' || g,"
            "        CASE WHEN g <= :rare THEN 'rare' ELSE 'type' || (g % 4) END, v.embedding"
            " FROM generate_series(1, :n) AS g,"
            "      LATERAL (SELECT array_agg(random() - 0.5)::vector AS embedding"
            "               FROM generate_series(1, :dims) WHERE g > 0) AS v"
        ),
        {
            "org": scope.organization_id,
            "n": BULK_NODES + RARE_NODES,
            "rare": RARE_NODES,
            "dims": EMBEDDING_DIMENSIONS,
        },
    )
    await session.execute(text(definition))
    await session.execute(text("ANALYZE knowledge_nodes"))


async def test_the_hnsw_index_serves_the_search_at_a_realistic_size(
    session: AsyncSession, scope: Scope, similarity: KnowledgeSimilarity, settings: Any
) -> None:
    await _bulk_load(session, scope)
    probe = [0.25 - (i % 2) * 0.5 for i in range(EMBEDDING_DIMENSIONS)]
    some_id = await session.scalar(text("SELECT id FROM knowledge_nodes LIMIT 1"))
    variants = {
        "plain": similarity.statement(probe, limit=10),
        "typed": similarity.statement(probe, limit=10, node_types=["type1", "type2"]),
        "to a node": similarity.statement(probe, limit=100, exclude_id=some_id),
    }

    plans = {name: await _plan(session, stmt) for name, stmt in variants.items()}
    # the API runs as the application role, under row-level security
    await scope_transaction(
        session,
        organization_id=scope.organization_id,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    await session.execute(text("SET LOCAL ROLE khub_app"))
    plans["as khub_app"] = await _plan(session, variants["typed"])
    exact = await _plan(session, similarity.statement(probe, limit=10, exact=True))

    for name, plan in plans.items():
        assert f"Index Scan using {HNSW_INDEX} on knowledge_nodes" in plan, f"{name}:\n{plan}"
    assert HNSW_INDEX not in exact

    typed = await similarity.nearest(probe, first=10, node_types=["type1"])
    rare = await similarity.nearest(probe, first=10, node_types=["rare"])

    assert len(typed) == 10 and {s.node.node_type for s in typed} == {"type1"}
    assert [s.distance for s in typed] == sorted(s.distance for s in typed)
    assert len(rare) == RARE_NODES, "fewer rows than asked match: every one comes back"


async def _plan(session: AsyncSession, statement: Any) -> str:
    return "\n".join((await session.execute(Explain(statement))).scalars().all())
