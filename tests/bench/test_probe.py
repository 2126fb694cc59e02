"""The probe answers exactly what the hand-written statement returns, so its rate is the
ceiling for the same response (and, through test_load_sql, for khub's)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from bench.load import ceiling
from bench.load.data import Target, ordered_data, sql_response
from bench.load.operations import BY_NAME, OPERATIONS, Operation, positional
from bench.load.probe import ProbeSettings, create_app
from bench.load.verify import verify
from persistence.database import Database
from persistence.roles import APP_ROLE
from tests.bench.conftest import Bench

CAST_AND_COMMENT = """-- by :viewer's rules
SELECT CAST(:org AS uuid), '{1}'::int[], :viewer, CAST(:org AS text)::text
"""


def probe_settings(operation: Operation, bench: Bench, database: Database) -> ProbeSettings:
    return ProbeSettings(
        operation=operation.name,
        database_url=database.url,
        role=APP_ROLE,
        organization=str(bench.organization_id),
        viewer=str(bench.viewer_id),
        connections=2,
    )


@asynccontextmanager
async def probe_client(settings: ProbeSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The probe in process, its lifespan (the pool) started as uvicorn starts it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
            yield client


def test_positional_numbers_parameters_in_order_of_first_use_and_leaves_casts_and_comments():
    sql, names = positional(CAST_AND_COMMENT)

    assert names == ("org", "viewer")
    assert sql.strip() == "SELECT CAST($1 AS uuid), '{1}'::int[], $2, CAST($1 AS text)::text"


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
async def test_probe_answers_each_input_with_the_statements_json(
    operation: Operation, bench: Bench, database: Database
) -> None:
    async with probe_client(probe_settings(operation, bench, database)) as client:
        for variables in operation.inputs:
            response = await client.post("/graphql", json=operation.body(variables))

            assert response.status_code == 200
            assert response.headers["content-type"] == "application/json"
            sql = await sql_response(
                database,
                bench.organization_id,
                operation.sql,
                bench.parameters(operation, variables),
            )
            assert ordered_data(response.content) == ordered_data(sql), variables


async def test_probe_shows_the_viewer_their_own_private_rows(
    bench: Bench, database: Database
) -> None:
    operation = BY_NAME["search-hits"]
    async with probe_client(probe_settings(operation, bench, database)) as client:
        response = await client.post("/graphql", json=operation.body({"query": "stampede"}))

    titles = [
        e["node"]["document"]["title"] for e in response.json()["data"]["searchDocuments"]["edges"]
    ]
    assert "My private stampede notes" in titles


async def test_probe_connections_run_as_the_app_role_in_the_organization_as_pgbench_does(
    bench: Bench, database: Database
) -> None:
    app = create_app(probe_settings(BY_NAME["documents"], bench, database))
    async with app.router.lifespan_context(app):
        role, organization = await app.state.pool.fetchrow(
            "SELECT current_user, current_setting('app.organization_id')"
        )

    assert (role, organization) == (APP_ROLE, str(bench.organization_id))


async def test_the_ceiling_step_serves_the_probe_checks_it_and_stops_it(
    bench: Bench, database: Database, tmp_path
) -> None:
    operation = BY_NAME["documents"]
    target = Target(database.url, bench.organization_id, bench.viewer_id, APP_ROLE, {})
    probe = ceiling.Probe(target, operation, connections=2, log=tmp_path / "probe.log")
    try:
        probe.wait_ready()
        await verify(probe.post, database, target, operation, tmp_path, who="probe")
    finally:
        probe.stop()

    assert probe.process.returncode is not None
