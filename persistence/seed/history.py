"""Benchmark volumes of retrieval history: `HISTORY_PER_DOCUMENT` calls per document seeded,
spread over the last `DAYS` days, with their daily rollups.

Generated inside PostgreSQL (one INSERT … SELECT over `generate_series`, then one
aggregate per rollup), in the seeding transaction: a million rows take well under a minute,
where sending them would take several. Texts follow a skewed distribution (a few common
queries, a long tail), a tenth of the searches find nothing, and hits come from a sample of
the organization's documents, popular ones more often.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.retrieval.models import DURATION_BUCKETS_PER_MS, ROLLUP_TEXT_LENGTH

HISTORY_PER_DOCUMENT = 10
DAYS = 90
TEXTS = 2_000
SAMPLED_DOCUMENTS = 5_000

_CALLS = text(
    """
    CREATE TEMPORARY TABLE seeded_history ON COMMIT DROP AS
    WITH documents AS (
        SELECT array_agg(id) AS ids FROM (
            SELECT id FROM documents WHERE organization_id = :org AND deleted_at IS NULL
            ORDER BY random() LIMIT :sampled
        ) d
    ), users AS (
        SELECT array_agg(id) AS ids FROM users WHERE organization_id = :org
    ), calls AS (
        SELECT n,
               now() - random() * make_interval(days => :days) AS at,
               'query ' || floor(power(random(), 3) * :texts)::int AS query_text,
               CASE WHEN random() < 0.1 THEN 0 ELSE 1 + floor(random() * 10)::int END AS hits,
               round((2 + power(random(), 4) * 200)::numeric, 1)::real AS duration_ms
        FROM generate_series(1, :count) AS n
    )
    SELECT uuidv7() AS id, c.at, c.query_text, c.duration_ms,
           users.ids[1 + (c.n % cardinality(users.ids))] AS user_id,
           ARRAY(
               SELECT documents.ids[1 + floor(power(random(), 2)
                                              * cardinality(documents.ids))::int]
               FROM generate_series(1, c.hits) WHERE c.n IS NOT NULL
           ) AS hit_ids
    FROM calls c, documents, users
    """
)

_INSERT = text(
    """
    INSERT INTO retrieval_queries (organization_id, id, created_at, kind, query_text, filters,
        hit_count, hit_ids, hit_scores, duration_ms, user_id)
    SELECT :org, id, at, 'search', query_text, '{}', cardinality(hit_ids), hit_ids,
           array_fill(0.5::float8, ARRAY[cardinality(hit_ids)]), duration_ms, user_id
    FROM seeded_history
    """
)

_ROLLUPS = (
    f"""
    INSERT INTO retrieval_daily_durations (organization_id, id, day, duration_bucket, queries,
        zero_hit_queries)
    SELECT :org, uuidv7(), (at AT TIME ZONE 'UTC')::date,
           round(duration_ms * {DURATION_BUCKETS_PER_MS})::int, count(*),
           count(*) FILTER (WHERE cardinality(hit_ids) = 0)
    FROM seeded_history GROUP BY 3, 4
    ON CONFLICT (organization_id, day, duration_bucket) DO UPDATE
    SET queries = retrieval_daily_durations.queries + excluded.queries,
        zero_hit_queries = retrieval_daily_durations.zero_hit_queries + excluded.zero_hit_queries
    """,
    f"""
    INSERT INTO retrieval_daily_texts (organization_id, id, day, text, queries, zero_hit_queries)
    SELECT :org, uuidv7(), (at AT TIME ZONE 'UTC')::date,
           left(lower(query_text), {ROLLUP_TEXT_LENGTH}), count(*),
           count(*) FILTER (WHERE cardinality(hit_ids) = 0)
    FROM seeded_history GROUP BY 3, 4
    ON CONFLICT (organization_id, day, text) DO UPDATE
    SET queries = retrieval_daily_texts.queries + excluded.queries,
        zero_hit_queries = retrieval_daily_texts.zero_hit_queries + excluded.zero_hit_queries
    """,
    """
    INSERT INTO retrieval_daily_documents (organization_id, id, day, document_id, returned)
    SELECT :org, uuidv7(), (at AT TIME ZONE 'UTC')::date, hit, count(*)
    FROM seeded_history, unnest(hit_ids) AS hit GROUP BY 3, 4
    ON CONFLICT (organization_id, document_id, day) DO UPDATE
    SET returned = retrieval_daily_documents.returned + excluded.returned
    """,
)


async def load_history(session: AsyncSession, organization_id: uuid.UUID, *, calls: int) -> int:
    """Add `calls` searches to the organization's retrieval history, with their rollups."""
    values = {
        "org": organization_id,
        "count": calls,
        "days": DAYS,
        "texts": TEXTS,
        "sampled": SAMPLED_DOCUMENTS,
    }
    await session.execute(_CALLS, values)
    await session.execute(_INSERT, {"org": organization_id})
    for rollup in _ROLLUPS:
        await session.execute(text(rollup), {"org": organization_id})
    await session.execute(
        text(
            "ANALYZE retrieval_queries, retrieval_daily_durations, retrieval_daily_texts,"
            " retrieval_daily_documents"
        )
    )
    return calls
