"""One pooled connection per operation, always given back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from graph.operation import Operation, OperationFinished
from persistence.database import Database


async def test_work_after_the_operation_finished_cannot_take_a_connection(
    database: Database,
) -> None:
    # A sibling field's error can end an operation while another resolver is still on its
    # way to the database (the fuzz test found it: the pool ran dry). That late resolver
    # must fail, not open a connection nobody will give back.
    operation = Operation(database)
    async with operation.session() as session:
        await session.execute(text("SELECT 1"))
    await operation.finish(commit=False)

    with pytest.raises(OperationFinished):
        async with operation.session():
            pass
    assert database.engine.pool.checkedout() == 0


async def test_the_apps_connections_plan_their_statements_generically(
    app_database: Database,
) -> None:
    if app_database.settings.pgbouncer:
        pytest.skip("behind PgBouncer no startup parameter is sent")
    async with app_database.engine.connect() as connection:
        mode = (await connection.execute(text("SHOW plan_cache_mode"))).scalar()

    assert mode == "force_generic_plan"
