"""Query cost: the estimate, the limit per operation and per role, and `extensions.cost`.

Every refusal is checked on both execution paths (the compiled read path hands a refused
operation to the reference executor, which refuses it), by the statements sent: none for
data.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from hashlib import sha256
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import World

NEIGHBORHOOD = (
    "knowledgeNodes(first: 100) { edges { node {"
    " neighbors(depth: 4, first: 100) { edges { node { node { id label } } } } } } }"
)
WORST = "query Worst { " + " ".join(f"a{i}: {NEIGHBORHOOD}" for i in range(30)) + " }"
# knowledgeNodes, edges, then per row: node, neighbors, edges, and per neighbor (100 rows
# at depth 4, times 8): node, node, id, label
WORST_COST = 30 * (2 + 100 * (1 + 2 + 100 * 8 * 4))

PAGE = """
query Page($first: Int) {
  documents(first: $first) { edges { node { id title owner { username } } } }
}
"""

NESTED = """
query Nested {
  collections(first: 10) {
    edges { node { name documents(first: 3) { edges { node { title tags { name } } } } } }
  }
}
"""
NESTED_COST = 2 + 10 * (4 + 3 * (3 + 20 * 1))

README = Path(__file__).resolve().parents[2] / "README.md"
README_OPERATIONS = re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)
OPERATION_NAMES = re.compile(r"^(?:query|mutation)\s+(\w+)", flags=re.MULTILINE)

Post = Callable[..., Any]


@asynccontextmanager
async def _client(settings: ServerSettings, database: Database) -> AsyncIterator[Post]:
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:

        async def post(
            query: str | None,
            *,
            token: str,
            variables: dict[str, Any] | None = None,
            extensions: dict[str, Any] | None = None,
            operation_name: str | None = None,
        ) -> httpx.Response:
            body: dict[str, Any] = {"variables": variables or {}}
            if query is not None:  # None: a persisted document, by its hash alone
                body["query"] = query
            if extensions is not None:
                body["extensions"] = extensions
            if operation_name is not None:
                body["operationName"] = operation_name
            return await http.post(
                "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
            )

        yield post


@pytest.fixture(params=[True, False], ids=["compiled", "reference"])
async def enforced(
    request: pytest.FixtureRequest, server_settings: ServerSettings, app_database: Database
) -> AsyncIterator[Post]:
    """An app that enforces the default limits, with and without the compiled read path."""
    settings = replace(server_settings, cost_enforced=True, compiled_reads=request.param)
    async with _client(settings, app_database) as post:
        yield post


def _data_statements(statements: StatementCounter) -> list[str]:
    return [s for s in statements.statements if "khub_authenticate" not in s]


async def test_the_worst_query_is_refused_with_its_cost_before_any_sql(
    enforced: Post, world: World, statements: StatementCounter
) -> None:
    statements.reset()

    response = await enforced(WORST, token=world.viewer.token)

    body = response.json()
    assert response.status_code == 200
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "COST_LIMIT_EXCEEDED",
        "cost": {"requested": WORST_COST, "maximum": 50_000},
    }
    assert f"{WORST_COST:,}" in error["message"]
    assert "50,000" in error["message"]
    assert statements.statements == []  # refused before even authenticating


async def test_a_persisted_document_is_costed_like_its_text(
    enforced: Post, world: World, statements: StatementCounter
) -> None:
    text = f"{WORST}\n# {uuid.uuid4()}"  # a document no test has registered yet
    hashed = {"persistedQuery": {"version": 1, "sha256Hash": sha256(text.encode()).hexdigest()}}
    registered = await enforced(text, token=world.viewer.token, extensions=hashed)
    statements.reset()

    response = await enforced(None, token=world.viewer.token, extensions=hashed)

    for answer in (registered, response):
        [error] = answer.json()["errors"]
        assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert _data_statements(statements) == []


async def test_a_role_maximum_refuses_after_authentication_before_data(
    server_settings: ServerSettings,
    app_database: Database,
    world: World,
    statements: StatementCounter,
) -> None:
    settings = replace(server_settings, cost_enforced=True, max_cost_by_role=(("VIEWER", 100),))
    for compiled in (True, False):
        async with _client(replace(settings, compiled_reads=compiled), app_database) as post:
            statements.reset()
            refused = (await post(NESTED, token=world.viewer.token)).json()
            assert _data_statements(statements) == []
            allowed = (await post(NESTED, token=world.editor.token)).json()

        assert refused["errors"][0]["extensions"] == {
            "code": "COST_LIMIT_EXCEEDED",
            "cost": {"requested": NESTED_COST, "maximum": 100},
        }
        assert "errors" not in allowed
        assert allowed["data"]["collections"] == {"edges": []}


async def test_the_cost_is_reported_when_asked_on_both_paths(enforced: Post, world: World) -> None:
    asked = await enforced(
        PAGE, token=world.viewer.token, variables={"first": 50}, extensions={"cost": True}
    )
    unasked = await enforced(PAGE, token=world.viewer.token, variables={"first": 50})
    default = await enforced(PAGE, token=world.viewer.token, extensions={"cost": True})

    assert asked.json()["extensions"] == {"cost": {"requested": 252, "maximum": 50_000}}
    assert asked.json()["data"] == unasked.json()["data"] == {"documents": {"edges": []}}
    assert "extensions" not in unasked.json()
    # 20 rows when `first` is absent, the connection's default page size
    assert default.json()["extensions"] == {"cost": {"requested": 102, "maximum": 50_000}}


async def test_the_compiled_path_reports_the_cost_it_answered(
    server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    async with _client(server_settings, app_database) as post:
        response = await post(PAGE, token=world.viewer.token, extensions={"cost": True})

    assert response.headers["x-khub-execution"] == "compiled"
    assert response.json() == {
        "data": {"documents": {"edges": []}},
        "extensions": {"cost": {"requested": 102, "maximum": 50_000}},
    }


async def test_development_reports_an_operation_over_its_limit_and_runs_it(
    server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    settings = replace(server_settings, max_cost=50)
    assert not settings.enforces_cost
    async with _client(settings, app_database) as post:
        body = (await post(PAGE, token=world.viewer.token)).json()

    assert body == {
        "data": {"documents": {"edges": []}},
        "extensions": {"cost": {"requested": 102, "maximum": 50}},
    }


async def test_production_enforces_the_cost_limit_by_default(
    server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    settings = replace(server_settings, production=True, max_cost=50)
    async with _client(settings, app_database) as post:
        body = (await post(PAGE, token=world.viewer.token)).json()

    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"


async def test_a_mutation_over_the_limit_changes_nothing(
    server_settings: ServerSettings, app_database: Database, world: World
) -> None:
    creates = " ".join(
        f'c{i}: documentCreate(input: {{title: "t{i}"}}) {{ __typename }}' for i in range(30)
    )
    settings = replace(server_settings, cost_enforced=True, max_cost_by_role=(("EDITOR", 29),))
    async with _client(settings, app_database) as post:
        refused = await post(f"mutation Create {{ {creates} }}", token=world.editor.token)
        listed = await post("{ documents { totalCount } }", token=world.admin.token)

    assert refused.json()["errors"][0]["extensions"]["cost"] == {"requested": 30, "maximum": 29}
    assert listed.json()["data"] == {"documents": {"totalCount": 0}}


async def test_every_readme_operation_passes_the_default_limit(
    enforced: Post, world: World
) -> None:
    for block in README_OPERATIONS:
        for name in OPERATION_NAMES.findall(block) or [None]:
            response = await enforced(
                block,
                token=world.admin.token,
                operation_name=name,
                variables={"id": world.admin.global_id},
                extensions={"cost": True},
            )
            body = response.json()
            codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
            assert "COST_LIMIT_EXCEEDED" not in codes, (name, body)
            cost = body["extensions"]["cost"]
            assert 0 < cost["requested"] <= cost["maximum"] == 50_000, (name, cost)
