"""`/metrics`: open in development, behind KHUB_METRICS_TOKEN, absent in production without
it; operations by name, type and outcome, errors by code, rate-limit refusals, pool waits,
the process collector, and one view across several workers."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from graph import metrics, metrics_dir
from graph.app import create_app
from graph.metrics_dir import MULTIPROC_DIR
from graph.settings import ServerSettings
from persistence.database import Database
from tests.graph.conftest import World
from tests.test_serve_e2e import KHUB, free_port

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


PING = "query %s { __typename }"
DOCUMENTS = "query %s { documents(first: 1) { totalCount } }"


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in the exposition text, or None when it is absent."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return None


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


async def test_operations_are_counted_and_timed_by_name_type_and_outcome(
    serving, world: World
) -> None:
    name = f"Recent{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {world.viewer.token}"}
    async with serving() as client:
        for _ in range(2):
            await client.post("/graphql", json={"query": DOCUMENTS % name}, headers=headers)
        await client.post("/graphql", json={"query": DOCUMENTS % name})  # anonymous: refused
        text = await scrape(client)

    operations = "khub_graphql_operations_total"
    assert sample(text, operations, operation=name, type="query", outcome="success") == 2
    assert sample(text, operations, operation=name, type="query", outcome="client_error") == 1
    latency = "khub_graphql_operation_duration_seconds_count"
    assert sample(text, latency, operation=name, type="query") == 3
    assert sample(text, "khub_graphql_errors_total", code="UNAUTHENTICATED") >= 1
    assert sample(text, "khub_db_pool_wait_seconds_count") >= 2
    assert sample(text, "khub_db_pool_connections", state="checked_out") is not None
    assert sample(text, "process_cpu_seconds_total") is not None


async def test_an_invalid_document_is_counted_without_its_name(serving) -> None:
    name = f"Broken{uuid.uuid4().hex[:8]}"
    async with serving() as client:
        await client.post("/graphql", json={"query": f"query {name} {{ nope }}"})
        await client.post("/graphql", content=b"{", headers={"Content-Type": "application/json"})
        text = await scrape(client)

    assert name not in text
    invalid = {"operation": "invalid", "outcome": "client_error"}
    assert sample(text, "khub_graphql_operations_total", type="query", **invalid) == 1
    assert sample(text, "khub_graphql_operations_total", type="unknown", **invalid) == 1
    assert sample(text, "khub_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert sample(text, "khub_graphql_errors_total", code="BAD_REQUEST") == 1


async def test_operation_names_are_cut_and_capped_with_an_other_bucket(
    serving, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 2)
    long_name = "L" * 100
    async with serving() as client:
        for name in ("First", long_name, "Third", "Fourth", "First"):
            await client.post("/graphql", json={"query": PING % name})
        text = await scrape(client)

    operations = "khub_graphql_operations_total"
    labels = {"type": "query", "outcome": "success"}
    assert sample(text, operations, operation="First", **labels) == 2
    assert sample(text, operations, operation="L" * 64, **labels) == 1
    assert sample(text, operations, operation="other", **labels) == 2
    assert "Third" not in text and "L" * 65 not in text


async def test_rate_limit_refusals_are_counted_by_reason(serving) -> None:
    async with serving() as client:
        metrics.rate_limited("cost")
        metrics.rate_limited("cost")
        text = await scrape(client)

    assert sample(text, "khub_rate_limited_total", reason="cost") == 2


def test_several_workers_share_a_fresh_directory_removed_afterwards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MULTIPROC_DIR, raising=False)

    with metrics_dir.shared(1) as single:
        assert single is None and MULTIPROC_DIR not in os.environ
    with metrics_dir.shared(2) as directory:
        assert directory is not None and directory.is_dir()
        assert os.environ[MULTIPROC_DIR] == str(directory)

    assert not directory.exists() and MULTIPROC_DIR not in os.environ


async def test_two_workers_report_the_sum_of_their_counts(
    database_url: str, app_database_url: str, tmp_path: Path
) -> None:
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"a stale value of an earlier run")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KHUB_APP_DATABASE_URL": app_database_url,
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    env.pop("KHUB_METRICS_TOKEN", None)
    env.pop("KHUB_ENV", None)
    process = await asyncio.create_subprocess_exec(
        *KHUB, "serve", "--port", str(port), "--workers", "2", "--log-level", "warning",
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        await wait_for_workers(base, shared, process)
        for _ in range(20):  # a connection each, so that both workers answer some
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                await http.post("/graphql", json={"query": PING % "Shared"})
        scrapes = []
        for _ in range(4):
            async with httpx.AsyncClient(base_url=base, timeout=10) as http:
                scrapes.append((await http.get("/metrics")).text)
    finally:
        process.send_signal(signal.SIGINT)
        await asyncio.wait_for(process.wait(), 20)

    labels = {"operation": "Shared", "type": "query", "outcome": "success"}
    assert [sample(t, "khub_graphql_operations_total", **labels) for t in scrapes] == [20] * 4
    assert not (shared / "counter_1.db").exists()


async def wait_for_workers(base: str, shared: Path, process: asyncio.subprocess.Process) -> None:
    """Until both workers wrote their files and the port answers."""
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base, timeout=2) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                assert process.stderr is not None
                pytest.fail((await process.stderr.read()).decode(errors="replace"))
            files = await asyncio.to_thread(os.listdir, shared)
            pids = {name.rsplit("_", 1)[-1] for name in files if name.endswith(".db")}
            try:
                if len(pids) >= 2 and (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    pytest.fail("two workers did not start within 60 s")
