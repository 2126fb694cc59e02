"""`/metrics`: open in development, behind KHUB_METRICS_TOKEN, absent in production without it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database

TOKEN = "s3cret-metrics-token"
SAMPLE = "khub_http_requests_total"


@pytest.fixture
def serving(
    server_settings: ServerSettings, app_database: Database
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    @asynccontextmanager
    async def serve(**changes: object) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(replace(server_settings, **changes), database=app_database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client

    return serve


async def test_development_without_a_token_serves_metrics_to_anyone(serving) -> None:
    async with serving(production=False) as client:
        response = await client.get("/metrics")

    assert response.status_code == 200
    assert SAMPLE in response.text


async def test_production_without_a_token_has_no_metrics(serving) -> None:
    async with serving(production=True) as client:
        response = await client.get("/metrics")

    assert response.status_code == 404
    assert SAMPLE not in response.text


@pytest.mark.parametrize("production", [False, True])
async def test_a_metrics_token_is_required_once_configured(serving, production: bool) -> None:
    async with serving(production=production, metrics_token=TOKEN) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer not-it"})
        right = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert SAMPLE not in missing.text + wrong.text
    assert right.status_code == 200
    assert SAMPLE in right.text


def test_the_metrics_token_is_read_from_the_environment_and_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KHUB_METRICS_TOKEN", TOKEN)

    settings = ServerSettings.from_env()

    assert settings.metrics_token == TOKEN
    assert TOKEN not in repr(settings)
