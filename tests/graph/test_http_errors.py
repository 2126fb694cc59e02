"""Requests that cannot run get a GraphQL-shaped JSON error and the GraphQL-over-HTTP
status: never a 500, never `text/plain`, never the first of several operations."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from tests.graph.conftest import World

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
VIEWER = "{ viewer { username } }"
TWO_OPERATIONS = "query First { viewer { username } } query Second { viewer { id } }"
DOCUMENT_CREATE = 'mutation { documentCreate(input: {title: "By GET"}) { __typename } }'
CREATE_WITH_METADATA = """
mutation ($metadata: JSON) {
  documentCreate(input: {title: "Deep", metadata: $metadata}) { __typename }
}
"""
DOCUMENT_COUNT = "{ documents(first: 1) { totalCount } }"
SIMILAR = "query ($v: [Float!]) { similarNodes(vector: $v) { similarity } }"


def bearer(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def nested_json(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


def assert_request_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """A GraphQL-shaped JSON error without `data`, with `status` and `extensions.code`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(JSON)
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["message"]
    return error


async def count_documents(client: httpx.AsyncClient, token: str) -> int:
    response = await client.post("/graphql", json={"query": DOCUMENT_COUNT}, headers=bearer(token))
    return response.json()["data"]["documents"]["totalCount"]


async def post_raw(
    client: httpx.AsyncClient, body: bytes, content_type: str = JSON, **headers: str
) -> httpx.Response:
    return await client.post(
        "/graphql", content=body, headers={"Content-Type": content_type, **headers}
    )


async def test_a_body_that_is_not_utf8_is_400(client: httpx.AsyncClient) -> None:
    body = b'{"query": "{ viewer { id } }", "variables": {"x": "\xff\xfe"}}'

    response = await post_raw(client, body)

    assert_request_error(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("body", [b"null", b'"{ viewer { id } }"', b"42", b"true", b"{"])
async def test_a_body_that_is_not_a_json_object_is_400(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await post_raw(client, body)

    assert_request_error(response, 400, "BAD_REQUEST")


async def test_batching_is_refused_with_400(client: httpx.AsyncClient) -> None:
    response = await post_raw(client, json.dumps([{"query": VIEWER}]).encode())

    error = assert_request_error(response, 400, "BAD_REQUEST")
    assert "Batching" in error["message"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"query": None},
        {"query": 1},
        {"query": VIEWER, "variables": [1]},
        {"query": VIEWER, "operationName": 5},
    ],
    ids=["no-query", "null-query", "number-query", "variables-list", "operation-name-number"],
)
async def test_a_malformed_graphql_request_is_400(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post("/graphql", json=body)

    assert_request_error(response, 400, "BAD_REQUEST")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient, content_type: str) -> None:
    response = await post_raw(client, json.dumps({"query": VIEWER}).encode(), content_type)

    assert_request_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_refused_requests_answer_in_the_media_type_asked_for(
    client: httpx.AsyncClient,
) -> None:
    response = await post_raw(client, b"null", Accept=GRAPHQL_RESPONSE)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


@pytest.mark.parametrize("levels", [250, 1_500])
async def test_variables_nested_too_deeply_are_400_and_change_nothing(
    client: httpx.AsyncClient, world: World, levels: int
) -> None:
    body = f'{{"query": {json.dumps(CREATE_WITH_METADATA)}, "variables": '
    body += f'{{"metadata": {nested_json(levels)}}}}}'

    response = await post_raw(client, body.encode(), **bearer(world.editor.token))

    assert_request_error(response, 400, "BAD_REQUEST")
    assert await count_documents(client, world.editor.token) == 0


async def test_metadata_nested_within_the_limit_is_stored(
    client: httpx.AsyncClient, world: World
) -> None:
    body = f'{{"query": {json.dumps(CREATE_WITH_METADATA)}, "variables": '
    body += f'{{"metadata": {nested_json(150)}}}}}'

    response = await post_raw(client, body.encode(), **bearer(world.editor.token))

    assert response.json() == {"data": {"documentCreate": {"__typename": "DocumentCreateSuccess"}}}


async def test_an_unknown_operation_name_is_a_request_error(client: httpx.AsyncClient) -> None:
    body = {"query": TWO_OPERATIONS, "operationName": "Third"}

    plain = await client.post("/graphql", json=body, headers={"Accept": JSON})
    strict = await client.post("/graphql", json=body, headers={"Accept": GRAPHQL_RESPONSE})

    assert_request_error(plain, 200, "OPERATION_RESOLUTION_FAILURE")
    assert strict.status_code == 400
    assert strict.json()["errors"][0]["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"


async def test_several_operations_without_an_operation_name_run_none(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": TWO_OPERATIONS},
        headers=bearer(world.viewer.token, Accept=GRAPHQL_RESPONSE),
    )

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "OPERATION_RESOLUTION_FAILURE"
    assert "operationName" in error["message"]


async def test_the_operation_named_is_the_one_that_runs(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": TWO_OPERATIONS, "operationName": "First"},
        headers=bearer(world.viewer.token),
    )

    assert response.json() == {"data": {"viewer": {"username": "viewer"}}}


async def test_a_mutation_over_get_is_405_with_allow_post(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.get(
        "/graphql", params={"query": DOCUMENT_CREATE}, headers=bearer(world.editor.token)
    )

    assert_request_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"
    assert await count_documents(client, world.editor.token) == 0


async def test_other_methods_are_405_in_json(client: httpx.AsyncClient) -> None:
    response = await client.put("/graphql", json={"query": VIEWER})

    assert_request_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, POST"


# -- resource limits ---------------------------------------------------------------------------


@pytest.fixture
async def small_limits(
    server_settings: ServerSettings, database: Database
) -> AsyncIterator[httpx.AsyncClient]:
    """An app that takes bodies of at most 10 kB and 5 directives per document."""
    settings = replace(server_settings, max_body_bytes=10_000, max_directives=5)
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_a_body_over_the_limit_is_413(small_limits: httpx.AsyncClient, world: World) -> None:
    metadata = {"blob": "x" * 20_000}

    response = await small_limits.post(
        "/graphql",
        json={"query": CREATE_WITH_METADATA, "variables": {"metadata": metadata}},
        headers=bearer(world.editor.token),
    )

    assert_request_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert await count_documents(small_limits, world.editor.token) == 0


async def test_a_streamed_body_over_the_limit_is_413_without_a_content_length(
    small_limits: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ viewer { id } }", "variables": {"pad": "'
        for _ in range(100):
            yield b"x" * 1_000
        yield b'"}}'

    response = await small_limits.post("/graphql", content=chunks(), headers={"Content-Type": JSON})

    assert "content-length" not in response.request.headers
    assert_request_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_a_body_within_the_limit_is_served(small_limits: httpx.AsyncClient) -> None:
    response = await small_limits.post("/graphql", json={"query": VIEWER})

    assert response.json() == {"data": {"viewer": None}}


async def test_the_default_body_limit_is_one_mebibyte(
    client: httpx.AsyncClient, server_settings: ServerSettings
) -> None:
    vector = [0.5] * 300_000  # the 8 MB reproduction, cut to fit the test: ~1.2 MB

    response = await client.post("/graphql", json={"query": SIMILAR, "variables": {"v": vector}})

    assert server_settings.max_body_bytes == 1024 * 1024
    assert_request_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_too_many_directives_are_refused(
    small_limits: httpx.AsyncClient, world: World
) -> None:
    directives = " ".join(["@include(if: true)"] * 6)

    response = await small_limits.post(
        "/graphql",
        json={"query": f"{{ viewer {{ username {directives} }} }}"},
        headers=bearer(world.viewer.token),
    )

    body = response.json()
    assert "data" not in body
    codes = [e.get("extensions", {}).get("code") for e in body["errors"]]
    assert "GRAPHQL_VALIDATION_FAILED" in codes
    assert any("more than 5 directives" in e["message"] for e in body["errors"])


async def test_directives_within_the_limit_are_fine(
    small_limits: httpx.AsyncClient, world: World
) -> None:
    response = await small_limits.post(
        "/graphql",
        json={"query": "{ viewer { username @include(if: true) id @skip(if: true) } }"},
        headers=bearer(world.viewer.token),
    )

    assert response.json() == {"data": {"viewer": {"username": "viewer"}}}


async def test_an_anonymous_operation_that_needs_a_caller_is_refused_before_coercion(
    client: httpx.AsyncClient,
) -> None:
    # A string where floats belong: coercing the variables would fail first.
    response = await client.post(
        "/graphql",
        json={"query": SIMILAR, "variables": {"v": ["not a float"] * 10}},
        headers={"Accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 401
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_an_anonymous_operation_with_a_public_field_still_runs(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": '{ viewer { id } node(id: "VXNlcjox") { id } }'}
    )

    body = response.json()
    assert body["data"] == {"viewer": None, "node": None}
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_signed_in_caller_still_gets_variable_errors(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": SIMILAR, "variables": {"v": ["not a float"]}},
        headers=bearer(world.viewer.token),
    )

    (error,) = response.json()["errors"]
    assert "Float cannot represent" in error["message"]


NODE_CREATE = """
mutation ($input: KnowledgeNodeCreateInput!) {
  knowledgeNodeCreate(input: $input) { __typename }
}
"""
NODE_COUNT = "{ knowledgeNodes(first: 1) { totalCount } }"


async def test_a_list_longer_than_any_argument_takes_is_refused_before_coercion(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": SIMILAR, "variables": {"v": ["not a float"] * 1_001}},
        headers=bearer(world.viewer.token),
    )

    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "v"}
    assert "more than 1000 items" in error["message"]


async def test_a_long_list_inside_an_input_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    node = {"label": "Long", "nodeType": "concept", "embedding": [0.5] * 5_000}

    response = await client.post(
        "/graphql",
        json={"query": NODE_CREATE, "variables": {"input": node}},
        headers=bearer(world.editor.token),
    )
    count = await client.post(
        "/graphql", json={"query": NODE_COUNT}, headers=bearer(world.editor.token)
    )

    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input"}
    assert count.json() == {"data": {"knowledgeNodes": {"totalCount": 0}}}
