"""Rate limits: cost units per principal and window, shared through PostgreSQL.

A refused request answers 429 with `Retry-After` and the RateLimit fields, and changes
nothing: neither the budget nor the data.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.rate_limits import RateLimit
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import World

PAGE = "query Page { documents { edges { node { id title owner { username } } } } }"
PAGE_COST = 2 + 20 * 5
CREATE = 'mutation Create { documentCreate(input: {title: "Runbook"}) { __typename } }'
COUNT = "query Count { documents { totalCount } }"
TYPENAME = "query Ping { __typename }"

Post = Callable[..., Any]


def _limited(settings: ServerSettings, units: int, **changes: Any) -> ServerSettings:
    return replace(settings, max_cost=min(units, 50_000), rate_limit=units, **changes)


@asynccontextmanager
async def _client(
    settings: ServerSettings, database: Database, address: str = "127.0.0.1"
) -> AsyncIterator[Post]:
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

        async def post(query: str, *, token: str | None = None) -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return await http.post("/graphql", json={"query": query}, headers=headers)

        post.metrics = lambda: http.get("/metrics")  # type: ignore[attr-defined]
        yield post


@pytest.fixture(autouse=True)
async def _fresh_budgets(database: Database) -> AsyncIterator[None]:
    """Budgets outlive organizations only for client addresses: start each test afresh."""
    yield
    async with database.transaction() as session:
        await session.execute(delete(RateLimit))


async def _spent(database: Database) -> dict[str, int]:
    async with database.transaction() as session:
        rows = (await session.execute(select(RateLimit.principal, RateLimit.spent))).all()
    return dict(rows)  # type: ignore[arg-type]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "reference"])
async def test_a_spent_budget_answers_429_with_retry_after(
    compiled: bool, server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    settings = _limited(server_settings, 2 * PAGE_COST + 1, compiled_reads=compiled)
    async with _client(settings, app_database) as post:
        first = await post(PAGE, token=world.viewer.token)
        second = await post(PAGE, token=world.viewer.token)
        refused = await post(PAGE, token=world.viewer.token)
        metrics = (await post.metrics()).text

    assert first.status_code == second.status_code == 200
    assert 'khub_rate_limited_total{reason="cost"} 1.0' in metrics
    assert first.headers["x-khub-execution"] == ("compiled" if compiled else "reference")
    assert first.headers["ratelimit-policy"] == f'"cost";q={2 * PAGE_COST + 1};w=60'
    assert first.headers["ratelimit"].startswith(f'"cost";r={PAGE_COST + 1};t=')
    assert second.headers["ratelimit"].startswith('"cost";r=1;t=')
    assert refused.status_code == 429
    retry_after = int(refused.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert refused.headers["ratelimit"] == f'"cost";r=1;t={retry_after}'
    body = refused.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": retry_after}
    assert f"retry in {retry_after} s" in error["message"]


async def test_two_instances_on_one_database_share_a_budget(
    server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    settings = _limited(server_settings, 3 * PAGE_COST)
    async with (
        _client(settings, app_database) as one,
        _client(settings, app_database) as other,
    ):
        statuses = [
            (await post(PAGE, token=world.editor.token)).status_code
            for post in (one, other, one, other)
        ]

    assert statuses == [200, 200, 200, 429]


async def test_anonymous_callers_are_limited_by_client_address(
    server_settings: ServerSettings, app_database: Database, database: Database
) -> None:
    settings = _limited(server_settings, 2)
    async with (
        _client(settings, app_database, "198.51.100.7") as here,
        _client(settings, app_database, "198.51.100.8") as there,
    ):
        statuses = [(await here(TYPENAME)).status_code for _ in range(3)]
        elsewhere = await there(TYPENAME)

    assert statuses == [200, 200, 429]
    assert elsewhere.status_code == 200
    assert await _spent(database) == {"address:198.51.100.7": 2, "address:198.51.100.8": 1}


async def test_a_refused_request_changes_nothing(
    server_settings: ServerSettings, app_database: Database, database: Database, world: World
) -> None:
    settings = _limited(server_settings, 2)
    async with _client(settings, app_database) as post:
        assert (await post(COUNT, token=world.editor.token)).status_code == 200
        before = await _spent(database)
        refused = await post(CREATE, token=world.editor.token)
        after = await _spent(database)
    async with _client(server_settings, app_database) as post:
        count = (await post(COUNT, token=world.admin.token)).json()

    assert refused.status_code == 429
    assert before == after == {f"user:{world.editor.user.id}": 2}
    assert count == {"data": {"documents": {"totalCount": 0}}}


async def test_concurrent_requests_never_spend_past_the_budget(
    server_settings: ServerSettings, app_database: Database, database: Database, world: World
) -> None:
    settings = _limited(server_settings, 3 * PAGE_COST)
    async with _client(settings, app_database) as post:
        for _ in range(20):
            responses = await asyncio.gather(
                *(post(PAGE, token=world.viewer.token) for _ in range(6))
            )
            statuses = sorted(r.status_code for r in responses)
            assert statuses == [200, 200, 200, 429, 429, 429]
            assert await _spent(database) == {f"user:{world.viewer.user.id}": 3 * PAGE_COST}
            async with database.transaction() as session:
                await session.execute(delete(RateLimit))


async def test_a_budget_costs_one_statement_more(
    server_settings: ServerSettings,
    app_database: Database,
    world: World,
    statements: StatementCounter,
) -> None:
    async with _client(server_settings, app_database) as post:
        statements.reset()
        await post(PAGE, token=world.viewer.token)
        unlimited = list(statements.statements)
    async with _client(_limited(server_settings, 50_000), app_database) as post:
        for _ in range(2):  # a budget is spent as the caller authenticates: every time
            statements.reset()
            await post(PAGE, token=world.viewer.token)
        limited = list(statements.statements)

    assert len(unlimited) == 2  # a new caller: authenticate (beginning the snapshot), the data
    assert len(limited) == 3  # authenticate and spend, confine the snapshot, the data
    assert "khub_spend" in limited[0]
