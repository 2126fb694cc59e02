"""The express lane (graph/compiler/express.py): a known caller's repeated query is answered
below the Starlette stack, byte for byte as the full stack answers it; every request it is
not sure of goes the whole way."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from persistence.database import Database
from tests.fixtures.statements import StatementCounter
from tests.graph.compiler.data import build
from tests.graph.conftest import World, request_lines

TITLES = "query Titles { documents(first: 5) { totalCount edges { node { title } } } }"
NESTED = """
query Page($first: Int!, $titles: Int) {
  collections(first: $first) {
    edges {
      node { id name documents(first: $titles) { edges { node { title owner { username } } } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ME = "query Me { viewer { id username } }"
REPEATED = [
    (TITLES, {}, {}),
    (NESTED, {"first": 3, "titles": 2}, {}),
    (NESTED, {"first": 3, "titles": 2}, {"Accept": "application/graphql-response+json"}),
    (ME, {}, {"X-Request-Id": "asked-for-1"}),
]


def executions(output: io.StringIO, since: int = 0) -> list[object]:
    """How each request was answered, from its log line (`execution`)."""
    return [line["execution"] for line in request_lines(output)[since:]]


async def _post(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    token: str,
    headers: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    """`body`: more of the request body's members, or other values for these."""
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables, **(body or {})},
        headers={"Authorization": f"Bearer {token}", **(headers or {})},
    )


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "x-request-id"}


@pytest.mark.parametrize(("query", "variables", "headers"), REPEATED)
async def test_the_express_lane_answers_exactly_as_the_full_stack(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    output: io.StringIO,
    query: str,
    variables: dict[str, Any],
    headers: dict[str, str],
) -> None:
    await build(world, database)
    full = await _post(client, query, variables, world.viewer.token, headers)
    express = await _post(client, query, variables, world.viewer.token, headers)

    assert executions(output) == ["compiled", "express"]
    assert express.status_code == full.status_code == 200
    assert express.content == full.content
    assert "errors" not in express.json()
    assert _headers(express) == _headers(full)
    if "X-Request-Id" in headers:  # the caller's id, echoed; else one of each request's own
        assert express.headers["x-request-id"] == headers["X-Request-Id"]
    else:
        assert express.headers["x-request-id"] != full.headers["x-request-id"]


async def test_the_express_lane_sends_one_statement(
    client: httpx.AsyncClient, world: World, database: Database, statements: StatementCounter
) -> None:
    await build(world, database)
    await _post(client, NESTED, {"first": 3, "titles": 2}, world.viewer.token)
    statements.reset()
    await _post(client, NESTED, {"first": 3, "titles": 2}, world.viewer.token)
    assert len(statements.statements) == 1


LEFT_TO_THE_FULL_STACK = {
    "a cross-origin request": ({"Origin": "http://localhost:5173"}, {}),
    "an asked-for cost": ({}, {"extensions": {"cost": True}}),
    "an operation name the document lacks": ({}, {"operationName": "Other"}),
    "variables that are not an object": ({}, {"variables": []}),
}


@pytest.mark.parametrize("case", LEFT_TO_THE_FULL_STACK)
async def test_requests_the_lane_is_not_sure_of_go_the_whole_way(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    output: io.StringIO,
    case: str,
) -> None:
    headers, extra = LEFT_TO_THE_FULL_STACK[case]
    await build(world, database)
    for _ in range(2):  # known caller, cached plan: the lane's own requests
        await _post(client, TITLES, {}, world.viewer.token)
    seen = len(request_lines(output))

    response = await _post(client, TITLES, {}, world.viewer.token, headers, extra)

    assert executions(output, seen) != ["express"]
    if case == "a cross-origin request":
        assert response.headers["access-control-allow-origin"] == headers["Origin"]
    elif case == "an asked-for cost":
        assert response.json()["extensions"]["cost"]["requested"] > 0
    else:
        assert response.json()["errors"][0]["message"]
        assert executions(output, seen) == ["reference"]


async def test_a_chunked_body_goes_the_whole_way(
    client: httpx.AsyncClient, world: World, database: Database, output: io.StringIO
) -> None:
    await build(world, database)
    for _ in range(2):
        await _post(client, TITLES, {}, world.viewer.token)
    seen = len(request_lines(output))
    body = (
        b'{"query": "query Titles { documents(first: 5) { totalCount edges { node { title } } } }"}'
    )

    async def chunks() -> Any:
        yield body[:20]
        yield body[20:]

    response = await client.post(
        "/graphql",
        content=chunks(),
        headers={
            "Authorization": f"Bearer {world.viewer.token}",
            "Content-Type": "application/json",
        },
    )

    assert response.status_code == 200
    assert response.json()["data"]["documents"]["totalCount"] > 0
    assert executions(output, seen) == ["compiled"]


async def test_a_repeated_authorization_header_answers_for_its_first_token_on_both_paths(
    client: httpx.AsyncClient, world: World, output: io.StringIO
) -> None:
    """Starlette (the full stack) reads the first of a repeated header: so does the lane."""
    for token in (world.viewer.token, world.admin.token):  # both known, the plan cached
        for _ in range(2):
            await _post(client, ME, {}, token)
    seen = len(request_lines(output))

    response = await client.post(
        "/graphql",
        json={"query": ME},
        headers=[
            ("Authorization", f"Bearer {world.viewer.token}"),
            ("Authorization", f"Bearer {world.admin.token}"),
        ],
    )

    assert response.json()["data"]["viewer"]["username"] == world.viewer.user.username
    assert executions(output, seen) == ["express"]
