"""Operation limits in every mode; production hides introspection, suggestions and bugs."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database, create_engine, session_factory
from persistence.settings import Settings
from tests.fixtures.databases import create_database, drop_database
from tests.graph.conftest import GraphQLClient, World

INTROSPECTION = "{ __schema { queryType { name } } }"


def _production(settings: ServerSettings) -> ServerSettings:
    return replace(settings, production=True)


@pytest.fixture
async def production(server_settings: ServerSettings, app_database: Database) -> AsyncIterator[Any]:
    app = create_app(_production(server_settings), database=app_database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield GraphQLClient(client)


@pytest.fixture
async def unmigrated(server_url: str, settings: Settings) -> AsyncIterator[Database]:
    """A database with no tables: every query against it is a server-side fault."""
    url = await create_database(server_url, f"khub_empty_{uuid.uuid4().hex[:8]}")
    engine = create_engine(url, settings)
    yield Database(url=url, engine=engine, sessions=session_factory(engine), settings=settings)
    await engine.dispose()
    await drop_database(server_url, url)


async def test_introspection_works_in_development(gql: GraphQLClient) -> None:
    result = await gql(INTROSPECTION)

    assert result == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_production_refuses_introspection(production: GraphQLClient) -> None:
    result = await production(INTROSPECTION)

    assert result.get("data") is None
    assert "introspection" in result["errors"][0]["message"].lower()


async def test_production_gives_no_field_suggestions(
    gql: GraphQLClient, production: GraphQLClient, world: World
) -> None:
    query = "{ documents { edges { node { titel } } } }"

    development = await gql(query, token=world.viewer.token)
    hidden = await production(query, token=world.viewer.token)

    assert "Did you mean" in development["errors"][0]["message"]
    assert "Did you mean" not in hidden["errors"][0]["message"]


async def test_production_serves_no_graphiql(
    client: httpx.AsyncClient, server_settings: ServerSettings, app_database: Database
) -> None:
    app = create_app(_production(server_settings), database=app_database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as prod:
        response = await prod.get("/graphql", headers={"Accept": "text/html"})
    development = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 404
    assert development.status_code == 200 and "graphiql" in development.text.lower()


LOGIN = 'mutation { login(input: {login: "a", password: "b"}) { __typename } }'


@pytest.mark.parametrize(
    ("query", "authenticated"),
    [("{ documents { totalCount } }", True), (LOGIN, False)],
    ids=["while-authenticating", "inside-a-resolver"],
)
async def test_production_masks_a_bug_behind_the_request_id(
    server_settings: ServerSettings,
    unmigrated: Database,
    world: World,
    caplog: pytest.LogCaptureFixture,
    query: str,
    authenticated: bool,
) -> None:
    headers = {"X-Request-ID": "req-42"}
    if authenticated:
        headers["Authorization"] = f"Bearer {world.viewer.token}"
    app = create_app(_production(server_settings), database=unmigrated)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        with caplog.at_level(logging.ERROR, logger="khub.graphql"):
            response = await client.post("/graphql", json={"query": query}, headers=headers)

    error = response.json()["errors"][0]
    assert error["message"] == "Unexpected error. Request id: req-42"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    assert "relation" not in response.text and "Traceback" not in response.text
    assert any("req-42" in record.getMessage() for record in caplog.records)


async def test_development_shows_the_bug(
    server_settings: ServerSettings, unmigrated: Database, world: World
) -> None:
    app = create_app(server_settings, database=unmigrated)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ documents { totalCount } }"},
            headers={"Authorization": f"Bearer {world.viewer.token}"},
        )

    assert response.status_code == 200
    assert "does not exist" in response.json()["errors"][0]["message"]


async def test_queries_deeper_than_the_limit_are_refused(
    gql: GraphQLClient, world: World, server_settings: ServerSettings
) -> None:
    inner = "id"
    for _ in range(server_settings.max_depth):
        inner = f"parent {{ {inner} }}"
    query = f"{{ collections {{ edges {{ node {{ {inner} }} }} }} }}"

    result = await gql(query, token=world.viewer.token)

    assert result.get("data") is None
    assert "exceeds maximum operation depth" in result["errors"][0]["message"]


async def test_too_many_aliases_are_refused(
    gql: GraphQLClient, world: World, server_settings: ServerSettings
) -> None:
    fields = " ".join(f"a{i}: viewer {{ id }}" for i in range(server_settings.max_aliases + 1))

    result = await gql(f"{{ {fields} }}", token=world.viewer.token)

    assert result.get("data") is None
    assert "aliases" in result["errors"][0]["message"]


@pytest.mark.parametrize("argument", ["first: 101", "last: 101", "first: -1"])
async def test_page_sizes_beyond_the_cap_are_bad_user_input(
    gql: GraphQLClient, world: World, argument: str
) -> None:
    result = await gql(f"{{ documents({argument}) {{ totalCount }} }}", token=world.viewer.token)

    (error,) = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 0 and 100" in error["message"]


async def test_a_forged_cursor_is_bad_user_input(gql: GraphQLClient, world: World) -> None:
    result = await gql(
        '{ documents(after: "bm90LWEtY3Vyc29y") { totalCount } }', token=world.viewer.token
    )

    (error,) = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
