"""Multipart requests (the GraphQL multipart request spec), ready for the upload mutations:
accepted with a bearer credential, under their own body limit."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from tests.graph.conftest import World

VIEWER = '{"query": "query { viewer { username } }", "variables": {"file": null}}'


@pytest.fixture
async def small(server_settings: ServerSettings, app_database: Database) -> Any:
    settings = replace(server_settings, max_body_bytes=1_000, max_upload_bytes=100_000)
    app = create_app(settings, database=app_database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def upload(
    client: httpx.AsyncClient, size: int, token: str | None, operations: str = VIEWER
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post(
        "/graphql",
        data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("notes.zip", b"x" * size, "application/zip")},
        headers=headers,
    )


async def test_a_multipart_request_with_a_credential_runs(
    small: httpx.AsyncClient, world: World
) -> None:
    response = await upload(small, 5_000, world.editor.token)

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"viewer": {"username": "editor"}}}


async def test_a_multipart_request_without_a_credential_is_refused(
    small: httpx.AsyncClient,
) -> None:
    response = await upload(small, 10, None)

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "UPLOAD_NEEDS_CREDENTIAL"


async def test_an_upload_over_its_own_limit_is_refused(
    small: httpx.AsyncClient, world: World
) -> None:
    response = await upload(small, 200_000, world.editor.token)

    assert response.status_code == 413
    assert "100000 bytes" in response.json()["errors"][0]["message"]


async def test_a_json_body_keeps_the_smaller_limit(small: httpx.AsyncClient, world: World) -> None:
    query = "query { viewer { username } }" + " " * 2_000

    response = await small.post(
        "/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {world.editor.token}"},
    )

    assert response.status_code == 413


async def test_a_batch_in_a_multipart_request_is_refused(
    small: httpx.AsyncClient, world: World
) -> None:
    response = await upload(small, 10, world.editor.token, operations=f"[{VIEWER}, {VIEWER}]")

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
