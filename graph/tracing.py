"""OpenTelemetry tracing, optional: the `tracing` extra and `KHUB_TRACING=1`.

Off (the default), nothing of OpenTelemetry is imported and `span()` hands out one shared
no-op context manager. On, spans are made for the request (continuing the caller's W3C
`traceparent`), parsing and validation of a document seen for the first time, each
dataloader batch, the compiled statement, and each database statement; they go to the
OTLP/HTTP exporter, configured by the standard `OTEL_*` variables
(`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER`, …). The tracer
provider is our own, not the global one, so a host application's setup is left alone.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_NOOP = nullcontext()
_tracer: Any = None
_provider: Any = None
STATEMENT_LIMIT = 1_000  # characters of SQL text on a span (values are bound, never in it)


def active() -> bool:
    return _tracer is not None


def setup(exporter: Any = None) -> None:
    """Start tracing in this process (once): to `exporter`, synchronously (tests), or to the
    OTLP/HTTP exporter in batches."""
    global _tracer, _provider
    if _tracer is not None:
        return
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    except ImportError as exc:
        raise RuntimeError(
            "KHUB_TRACING needs OpenTelemetry: pip install 'knowledge-hub[tracing]'"
        ) from exc
    service = {"service.name": os.environ.get("OTEL_SERVICE_NAME") or "knowledge-hub"}
    _provider = TracerProvider(resource=Resource.create(service))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        _provider.add_span_processor(SimpleSpanProcessor(exporter))
    _tracer = _provider.get_tracer("knowledge-hub")


def shutdown() -> None:
    """Flush and stop (tests turn tracing off again with this)."""
    global _tracer, _provider
    if _provider is not None:
        _provider.shutdown()
    _tracer = _provider = None


def span(name: str, attributes: dict[str, Any] | None = None) -> AbstractContextManager[Any]:
    """A child span of the current one; a shared no-op when tracing is off."""
    if _tracer is None:
        return _NOOP
    return _tracer.start_as_current_span(name, attributes=attributes)


def request_span(scope: dict[str, Any], request_id: str) -> AbstractContextManager[Any]:
    """The server span of an HTTP request, continuing the caller's `traceparent`."""
    if _tracer is None:
        return _NOOP
    from opentelemetry import propagate
    from opentelemetry.trace import SpanKind

    carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
    return _tracer.start_as_current_span(
        f"{scope['method']} {scope['path']}",
        context=propagate.extract(carrier),
        kind=SpanKind.SERVER,
        attributes={
            "http.request.method": scope["method"],
            "url.path": scope["path"],
            "khub.request_id": request_id,
        },
    )


def finish_request(current: Any, record: Any) -> None:
    """The request's outcome on its span."""
    if current is None:
        return
    current.set_attribute("http.response.status_code", record.status)
    if record.graphql:
        current.set_attribute("graphql.operation.type", record.operation_type or "invalid")
        current.set_attribute("graphql.operation.name", (record.operation_name or "")[:100])
        current.set_attribute("khub.statements", record.statements)
    if record.status >= 500:
        from opentelemetry.trace import Status, StatusCode

        current.set_status(Status(StatusCode.ERROR))


def instrument(engine: AsyncEngine) -> None:
    """A span per database statement of `engine` (once per engine), when tracing is on."""
    target = engine.sync_engine
    if _tracer is None or event.contains(target, "before_cursor_execute", _statement_began):
        return
    event.listen(target, "before_cursor_execute", _statement_began)
    event.listen(target, "after_cursor_execute", _statement_ended)
    event.listen(target, "handle_error", _statement_failed)


def _statement_began(
    conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
) -> None:
    if _tracer is None or context is None:
        return
    context._khub_span = _tracer.start_span(
        _verb(statement),
        attributes={
            "db.system.name": "postgresql",
            "db.query.text": statement[:STATEMENT_LIMIT],
        },
    )


def _verb(statement: str) -> str:
    """The statement's first keyword (after a leading comment), the span's name."""
    text = statement.lstrip()
    if text.startswith("/*"):
        text = text[text.find("*/") + 2 :].lstrip()
    words = text.split(None, 1)
    return words[0].upper() if words else "SQL"


def _statement_ended(
    conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
) -> None:
    current = getattr(context, "_khub_span", None)
    if current is not None:
        current.end()
        context._khub_span = None


def _statement_failed(exception_context: Any) -> None:
    context = exception_context.execution_context
    current = getattr(context, "_khub_span", None)
    if current is not None:
        from opentelemetry.trace import Status, StatusCode

        current.set_status(
            Status(StatusCode.ERROR, type(exception_context.original_exception).__name__)
        )
        current.end()
        context._khub_span = None
