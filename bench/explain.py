"""EXPLAIN ANALYZE of an operation's heaviest statement, under the operation's own settings.

The operation's statements are replayed in order in one transaction that is rolled back,
so the heaviest one runs with the same role, organization (row-level security) and
`set_config` settings (e.g. `hnsw.ef_search`) as it did inside the app.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bench.client import Statement, StatementRecorder

OPTIONS = "ANALYZE, BUFFERS, COSTS OFF, SUMMARY ON"


async def explain_heaviest(
    engine: AsyncEngine, recorder: StatementRecorder, statements: list[Statement]
) -> dict[str, object] | None:
    if not statements:
        return None
    heaviest = max(range(len(statements)), key=lambda i: statements[i].seconds)
    recorder.paused = True
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            try:
                for statement in statements[:heaviest]:
                    await connection.exec_driver_sql(statement.sql, statement.parameters)
                target = statements[heaviest]
                result = await connection.exec_driver_sql(
                    f"EXPLAIN ({OPTIONS}) {target.sql}", target.parameters
                )
                plan = [row[0] for row in result]
            finally:
                await transaction.rollback()
    finally:
        recorder.paused = False
    return {
        "statement": target.sql,
        "ms_in_app": round(1000 * target.seconds, 2),
        "plan": plan,
    }
