"""OpenTelemetry spans, when KHUB_TRACING is on: the request continues the caller's trace,
with spans for parsing, validation, loader batches, the compiled statement and the SQL."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph import tracing
from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from tests.graph.conftest import World

pytest.importorskip("opentelemetry.sdk", reason="the `tracing` extra is not installed")
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
# Per-row relations: the reference executor batches them through dataloaders.
OWNERS = "query Owners%s { documents(first: 5) { edges { node { title owner { username } } } } }"
CREATE = 'mutation Write { documentCreate(input: {title: "Traced"}) { __typename } }'
TITLES = "query Titles%s { documents(first: 5) { totalCount edges { node { title } } } }"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    tracing.setup(exporter)
    try:
        yield exporter
    finally:
        tracing.shutdown()


@pytest.fixture
async def traced(
    server_settings: ServerSettings, app_database: Database, spans: InMemorySpanExporter
) -> AsyncIterator[Any]:
    async def client_for(**changes: Any) -> httpx.AsyncClient:
        app = create_app(replace(server_settings, tracing=True, **changes), database=app_database)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")

    yield client_for


def finished_under_a_parent(spans: InMemorySpanExporter) -> list[Any]:
    """The finished spans that continue a trace: a request's all do (the caller sends a
    `traceparent`); the retrieval history writer's statements, written in the background on
    the same engine (another test's app flushing), start traces of their own."""
    return [span for span in spans.get_finished_spans() if span.parent is not None]


async def send(client: httpx.AsyncClient, query: str, token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "traceparent": TRACEPARENT}
    return await client.post("/graphql", json={"query": query}, headers=headers)


async def test_a_request_continues_the_callers_trace_with_its_inner_spans(
    traced: Any, spans: InMemorySpanExporter, world: World
) -> None:
    client = await traced(compiled_reads=False)
    async with client:
        await client.post(
            "/graphql",
            json={"query": CREATE},
            headers={"Authorization": f"Bearer {world.editor.token}"},
        )
        spans.clear()
        response = await send(client, OWNERS % uuid.uuid4().hex, world.editor.token)

    assert response.status_code == 200 and "errors" not in response.json()
    finished = finished_under_a_parent(spans)
    names = [span.name for span in finished]
    assert {"POST /graphql", "graphql.parse", "graphql.validate", "dataloader.batch"} <= set(names)
    assert "SELECT" in names
    assert {format(span.context.trace_id, "032x") for span in finished} == {TRACE_ID}
    (request,) = [span for span in finished if span.name == "POST /graphql"]
    assert format(request.parent.span_id, "016x") == PARENT_ID
    assert request.attributes["graphql.operation.type"] == "query"
    assert request.attributes["http.response.status_code"] == 200
    by_id = {span.context.span_id: span for span in finished}
    for span in finished:
        if span is not request:  # every inner span hangs under the request's
            ancestor = span
            while ancestor.parent.span_id in by_id:
                ancestor = by_id[ancestor.parent.span_id]
            assert ancestor is request
    (batch,) = [s for s in finished if s.name == "dataloader.batch"]
    assert any(s.name == "SELECT" and s.parent.span_id == batch.context.span_id for s in finished)


async def test_a_compiled_query_has_a_span_for_its_one_statement(
    traced: Any, spans: InMemorySpanExporter, world: World
) -> None:
    client = await traced(compiled_reads=True)
    async with client:
        response = await send(client, TITLES % uuid.uuid4().hex, world.viewer.token)

    assert response.headers["x-khub-execution"] == "compiled"
    finished = finished_under_a_parent(spans)
    (compiled,) = [span for span in finished if span.name == "graphql.compiled_statement"]
    (statement,) = [s for s in finished if s.parent.span_id == compiled.context.span_id]
    assert (
        statement.name == "SELECT" and "json_build_object" in statement.attributes["db.query.text"]
    )
    assert {format(span.context.trace_id, "032x") for span in finished} == {TRACE_ID}


def test_tracing_is_off_by_default_and_imports_nothing_of_opentelemetry() -> None:
    program = (
        "import sys\n"
        "from graph.app import create_app\n"
        "from graph.settings import ServerSettings\n"
        "create_app(ServerSettings.from_env())\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True
    )

    assert done.stdout.strip() == "[]"


def test_the_tracing_switch_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHUB_TRACING", "1")
    on = ServerSettings.from_env().tracing
    monkeypatch.delenv("KHUB_TRACING")

    assert (on, ServerSettings.from_env().tracing) == (True, False)
