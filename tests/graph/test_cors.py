"""Cross-origin calls from browsers: CORS preflights and responses, and the websocket
handshake's origin check, driven by one list of origins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.cors import CorsSettings
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.settings import Settings
from tests.fixtures.websocket import PROTOCOL, websocket_scope
from tests.graph.conftest import World

ALLOWED = "https://app.example.com"
OTHER = "https://evil.example.net"
LOCAL = "http://localhost:5173"
VIEWER = "query Viewer { viewer { username } }"


def preflight(origin: str, *, headers: str = "authorization, content-type") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }


async def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def configured(settings: Settings, app_database: Database) -> AsyncIterator[Any]:
    """An app that allows one origin, as production with KHUB_CORS_ORIGINS set would."""
    cors = CorsSettings(origins=(ALLOWED,), local_origins=False)
    yield create_app(ServerSettings(database=settings, cors=cors), database=app_database)


@pytest.fixture
async def cors_client(configured: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(configured) as client:
        yield client


async def handshake(app: Any, origin: str) -> list[dict[str, Any]]:
    """What the app sends back to a websocket upgrade from a page on `origin`."""
    scope = websocket_scope(
        [
            (b"host", b"testserver"),
            (b"origin", origin.encode()),
            (b"sec-websocket-protocol", PROTOCOL.encode()),
        ]
    )
    incoming = [{"type": "websocket.connect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "websocket.accept":
            incoming.append({"type": "websocket.disconnect", "code": 1000})

    await app(scope, receive, send)
    return sent


async def test_a_preflight_from_an_allowed_origin_passes(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.options("/graphql", headers=preflight(ALLOWED))

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "access-control-allow-credentials" not in response.headers
    assert int(response.headers["access-control-max-age"]) > 0


async def test_a_preflight_from_another_origin_is_refused(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.options("/graphql", headers=preflight(OTHER))

    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    assert response.json()["errors"][0]["extensions"]["code"] == "CORS_ORIGIN_REFUSED"


async def test_a_preflight_asking_for_an_unlisted_header_is_refused(
    cors_client: httpx.AsyncClient,
) -> None:
    response = await cors_client.options("/graphql", headers=preflight(ALLOWED, headers="x-evil"))

    assert response.status_code == 400


async def test_the_actual_post_carries_the_cors_headers(
    cors_client: httpx.AsyncClient, world: World
) -> None:
    headers = {"Origin": ALLOWED, "Authorization": f"Bearer {world.viewer.token}"}

    response = await cors_client.post("/graphql", json={"query": VIEWER}, headers=headers)

    assert response.json() == {"data": {"viewer": {"username": "viewer"}}}
    assert response.headers["access-control-allow-origin"] == ALLOWED
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "x-request-id" in exposed and "x-khub-execution" in exposed
    assert "origin" in response.headers["vary"].lower()


async def test_a_post_from_another_origin_gets_no_allow_origin(
    cors_client: httpx.AsyncClient, world: World
) -> None:
    headers = {"Origin": OTHER, "Authorization": f"Bearer {world.viewer.token}"}

    response = await cors_client.post("/graphql", json={"query": VIEWER}, headers=headers)

    assert "access-control-allow-origin" not in response.headers


async def test_production_allows_no_origin_by_default(
    settings: Settings, app_database: Database
) -> None:
    cors = CorsSettings.from_env(production=True)
    app = create_app(
        ServerSettings(production=True, database=settings, cors=cors), database=app_database
    )

    async with await client_for(app) as client:
        local = await client.options("/graphql", headers=preflight(LOCAL))

    assert cors.origins == ()
    assert local.status_code == 400
    assert "access-control-allow-origin" not in local.headers


async def test_development_allows_pages_served_from_this_machine(
    client: httpx.AsyncClient,
) -> None:
    local = await client.options("/graphql", headers=preflight(LOCAL))
    other = await client.options("/graphql", headers=preflight(OTHER))

    assert local.status_code == 200
    assert local.headers["access-control-allow-origin"] == LOCAL
    assert other.status_code == 400


async def test_a_websocket_from_a_disallowed_origin_is_refused(configured: Any) -> None:
    sent = await handshake(configured, OTHER)

    assert sent[0]["type"] == "websocket.close"
    assert sent[0]["code"] == 1008


async def test_a_websocket_from_an_allowed_origin_is_accepted(configured: Any) -> None:
    sent = await handshake(configured, ALLOWED)

    assert sent[0]["type"] == "websocket.accept"
    assert sent[0]["subprotocol"] == "graphql-transport-ws"


def test_credentials_with_any_origin_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KHUB_CORS_ORIGINS", "*")
    monkeypatch.setenv("KHUB_CORS_ALLOW_CREDENTIALS", "true")

    with pytest.raises(ValueError, match="KHUB_CORS_ALLOW_CREDENTIALS"):
        CorsSettings.from_env(production=True)


def test_an_origin_with_a_path_is_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHUB_CORS_ORIGINS", "https://app.example.com/graphql")

    with pytest.raises(ValueError, match="not an origin"):
        CorsSettings.from_env(production=True)


def test_configured_origins_are_normalized(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHUB_CORS_ORIGINS", "https://App.Example.com:443/, http://localhost:3000")

    cors = CorsSettings.from_env(production=True)

    assert cors.origins == ("https://app.example.com", "http://localhost:3000")
    assert not cors.local_origins
