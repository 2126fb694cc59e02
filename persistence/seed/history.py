"""Benchmark volumes of retrieval history: `HISTORY_PER_DOCUMENT` calls per document seeded,
spread over the last `DAYS` days, with their rollups (per day, then per block of days).

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

from persistence.retrieval.models import (
    DURATION_BUCKETS_PER_MS,
    ROLLUP_SPANS,
    ROLLUP_TEXT_LENGTH,
)

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

_DAY = "(at AT TIME ZONE 'UTC')::date"
_SPANS = "ARRAY[" + ", ".join(str(s) for s in ROLLUP_SPANS[1:]) + "]"
_BLOCK = "day - ((day - DATE '1970-01-01') % span)"

_ROLLUPS = (
    f"""
    INSERT INTO retrieval_daily_calls (organization_id, id, day, queries, zero_hit_queries)
    SELECT :org, uuidv7(), {_DAY}, count(*), count(*) FILTER (WHERE cardinality(hit_ids) = 0)
    FROM seeded_history GROUP BY 3 ORDER BY 3
    ON CONFLICT (organization_id, day) DO UPDATE
    SET queries = retrieval_daily_calls.queries + excluded.queries,
        zero_hit_queries = retrieval_daily_calls.zero_hit_queries + excluded.zero_hit_queries
    """,
    f"""
    INSERT INTO retrieval_daily_durations (organization_id, id, days, day, duration_bucket,
        queries)
    SELECT :org, uuidv7(), 1, {_DAY}, round(duration_ms * {DURATION_BUCKETS_PER_MS})::int,
           count(*)
    FROM seeded_history GROUP BY 4, 5 ORDER BY 4, 5
    ON CONFLICT (organization_id, days, day, duration_bucket) DO UPDATE
    SET queries = retrieval_daily_durations.queries + excluded.queries
    """,
    f"""
    INSERT INTO retrieval_daily_texts (organization_id, id, days, day, text, queries,
        zero_hit_queries)
    SELECT :org, uuidv7(), 1, {_DAY}, left(lower(query_text), {ROLLUP_TEXT_LENGTH}), count(*),
           count(*) FILTER (WHERE cardinality(hit_ids) = 0)
    FROM seeded_history GROUP BY 4, 5 ORDER BY 4, 5
    ON CONFLICT (organization_id, days, day, text) DO UPDATE
    SET queries = retrieval_daily_texts.queries + excluded.queries,
        zero_hit_queries = retrieval_daily_texts.zero_hit_queries + excluded.zero_hit_queries
    """,
    f"""
    INSERT INTO retrieval_daily_documents (organization_id, id, days, day, document_id,
        returned)
    SELECT :org, uuidv7(), 1, {_DAY}, hit, count(*)
    FROM seeded_history, unnest(hit_ids) AS hit GROUP BY 4, 5 ORDER BY 4, 5
    ON CONFLICT (organization_id, days, day, document_id) DO UPDATE
    SET returned = retrieval_daily_documents.returned + excluded.returned
    """,
)

_COARSER = tuple(
    f"""
    INSERT INTO {table} (organization_id, id, days, day, {key}, {", ".join(counts)})
    SELECT :org, uuidv7(), span, {_BLOCK}, {key}, {", ".join(f"sum({c})" for c in counts)}
    FROM {table}, unnest({_SPANS}) AS span
    WHERE organization_id = :org AND days = 1
    GROUP BY 3, 4, 5 ORDER BY 3, 4, 5
    ON CONFLICT (organization_id, days, day, {key}) DO UPDATE
    SET {", ".join(f"{c} = excluded.{c}" for c in counts)}
    """
    for table, key, counts in (
        ("retrieval_daily_durations", "duration_bucket", ("queries",)),
        ("retrieval_daily_texts", "text", ("queries", "zero_hit_queries")),
        ("retrieval_daily_documents", "document_id", ("returned",)),
    )
)
"""The blocks of 2 to 256 days summed from the per-day rows (which hold every seeded call,
so the blocks are replaced, not added to). Rows go in block order, as the writer's would
over time: a block's rows share pages."""


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
    for rollup in (*_ROLLUPS, *_COARSER):
        await session.execute(text(rollup), {"org": organization_id})
    await session.execute(
        text(
            "ANALYZE retrieval_queries, retrieval_daily_calls, retrieval_daily_durations,"
            " retrieval_daily_texts, retrieval_daily_documents"
        )
    )
    return calls
