"""GraphQL over HTTP through the real app: methods, media types, request ids, health."""

from __future__ import annotations

import json

import httpx

from graph import graphiql
from persistence.migrate import head_revision
from tests.graph.conftest import World

VIEWER = "{ viewer { username } }"
DOCUMENT_COUNT = "{ documents(first: 1) { totalCount } }"
DOCUMENT_CREATE = """
mutation { documentCreate(input: {title: "Sent by GET"}) { __typename } }
"""
JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


async def count_documents(client: httpx.AsyncClient, token: str) -> int:
    response = await client.post("/graphql", json={"query": DOCUMENT_COUNT}, headers=bearer(token))
    return response.json()["data"]["documents"]["totalCount"]


async def test_post_with_json_answers_json(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers=bearer(world.viewer.token, Accept=JSON)
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON)
    assert response.json() == {"data": {"viewer": {"username": "viewer"}}}


async def test_get_runs_a_query_from_the_query_string(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        "/graphql", params={"query": VIEWER}, headers=bearer(world.editor.token, Accept=JSON)
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"username": "editor"}}}


async def test_get_passes_variables_as_json(client: httpx.AsyncClient, world: World) -> None:
    query = "query ($first: Int!) { documents(first: $first) { totalCount } }"

    response = await client.get(
        "/graphql",
        params={"query": query, "variables": json.dumps({"first": 3})},
        headers=bearer(world.viewer.token, Accept=JSON),
    )

    assert response.json() == {"data": {"documents": {"totalCount": 0}}}


async def test_get_refuses_a_mutation_and_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": DOCUMENT_CREATE},
        headers=bearer(world.editor.token, Accept=JSON),
    )

    assert response.status_code in (400, 405)
    assert "data" not in response.text
    assert await count_documents(client, world.editor.token) == 0


async def test_the_same_mutation_by_post_works(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/graphql", json={"query": DOCUMENT_CREATE}, headers=bearer(world.editor.token)
    )

    assert response.json() == {"data": {"documentCreate": {"__typename": "DocumentCreateSuccess"}}}
    assert await count_documents(client, world.editor.token) == 1


async def test_graphql_response_json_is_answered_in_kind(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json() == {"data": {"viewer": None}}


async def test_syntax_error_is_400_with_graphql_response_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ viewer { "}, headers={"Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert "data" not in body
    assert len(body["errors"]) == 1
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_validation_error_is_400_with_graphql_response_json(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ noSuchField }"}, headers={"Accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 400
    assert "data" not in response.json()


async def test_syntax_error_stays_200_with_plain_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ viewer { "}, headers={"Accept": JSON}
    )

    assert response.status_code == 200
    assert len(response.json()["errors"]) == 1


async def test_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "trace-42.a_b"})

    assert response.headers["x-request-id"] == "trace-42.a_b"


async def test_request_id_is_generated_when_missing_or_unsafe(client: httpx.AsyncClient) -> None:
    missing = await client.post("/graphql", json={"query": VIEWER})
    unsafe = await client.post(
        "/graphql", json={"query": VIEWER}, headers={"X-Request-ID": "no spaces; or <tags>"}
    )

    generated = [missing.headers["x-request-id"], unsafe.headers["x-request-id"]]
    assert all(len(rid) == 32 and int(rid, 16) >= 0 for rid in generated)
    assert generated[0] != generated[1]


async def test_healthz_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_the_head_revision(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"] == "reachable"
    assert body["revision"] == body["head"] == head_revision()


async def test_browser_gets_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    if graphiql.assets_installed():
        assert 'src="graphiql-assets/graphiql.min.js"' in response.text
        assert "unpkg.com" not in response.text
    else:
        assert "graphiql.min.js" in response.text  # Strawberry's CDN page


async def test_graphiql_assets_are_served_when_installed(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphiql-assets/graphiql.min.js")

    if graphiql.assets_installed():
        assert response.status_code == 200
        assert "javascript" in response.headers["content-type"]
    else:
        assert response.status_code == 404


async def test_metrics_count_requests_and_time_them(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.post("/graphql", json={"query": "{ viewer { id } }"})

    response = await client.get("/metrics")

    assert response.status_code == 200
    body = response.text
    assert 'khub_http_requests_total{method="GET",path="/healthz",status="200"}' in body
    assert 'khub_http_requests_total{method="POST",path="/graphql",status="200"}' in body
    assert 'khub_http_request_duration_seconds_count{path="/graphql"}' in body
    assert 'khub_db_pool_connections{state="checked_out"}' in body
