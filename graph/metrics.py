"""`/metrics` in the Prometheus text format, by the Prometheus client library.

HTTP requests and latency by path; GraphQL operations by name, type and outcome with a
latency histogram per operation; errors by code; rate-limit refusals (`rate_limited`);
the time an operation waits for a database connection; the pool's connections; and the
process and platform collectors.

Several workers (`khub serve --workers N`) share one view through the client's
multiprocess mode: `khub serve` points `PROMETHEUS_MULTIPROC_DIR` at a fresh directory
before the workers start, each writes its values there, and a scrape of any worker adds
them up. The mode is fixed when `prometheus_client` is first imported.

Operation names are the client's words, so they are bounded before they become labels:
only a document that passed validation is labelled by its name (else `invalid`; an
unnamed operation is `anonymous`), names are cut to 64 characters, and past
`MAX_OPERATION_NAMES` distinct names (per process) further ones count as `other`.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from graph.request_record import RequestRecord

Endpoint = Callable[[Request], Awaitable[Response]]
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
WAIT_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0)
PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})
METHODS = frozenset({"GET", "POST", "OPTIONS", "HEAD", "PUT", "PATCH", "DELETE"})
MAX_OPERATION_NAMES = 500
NAME_LIMIT = 64
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_mode() -> bool:
    return bool(os.environ.get(MULTIPROC_DIR))


class Metrics:
    """The server's metrics, registered on a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "khub_http_requests", "HTTP requests by method, path and status.",
            ["method", "path", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "khub_http_request_duration_seconds", "Time to answer, by path.",
            ["path"], buckets=BUCKETS, registry=r,
        )  # fmt: skip
        self.operations = Counter(
            "khub_graphql_operations", "GraphQL operations by name, type and outcome "
            "(success, client_error, server_error).",
            ["operation", "type", "outcome"], registry=r,
        )  # fmt: skip
        self.operation_latency = Histogram(
            "khub_graphql_operation_duration_seconds", "Time to answer a GraphQL operation.",
            ["operation", "type"], buckets=BUCKETS, registry=r,
        )  # fmt: skip
        self.errors = Counter(
            "khub_graphql_errors", "GraphQL errors answered, by `extensions.code`.",
            ["code"], registry=r,
        )  # fmt: skip
        self.refusals = Counter(
            "khub_rate_limited", "Requests refused by a rate limit, by reason.",
            ["reason"], registry=r,
        )  # fmt: skip
        self.retrieval_dropped = Counter(
            "khub_retrieval_history_dropped", "Retrieval history entries dropped: the "
            "writer's queue was full (overload) or their batch failed to write.",
            ["reason"], registry=r,
        )  # fmt: skip
        self.pool_wait = Histogram(
            "khub_db_pool_wait_seconds", "Time an operation waited for its database connection.",
            buckets=WAIT_BUCKETS, registry=r,
        )  # fmt: skip
        self.pool = Gauge(
            "khub_db_pool_connections", "Database connections by state.",
            ["state"], registry=r, multiprocess_mode="livesum",
        )  # fmt: skip
        if not multiprocess_mode():
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
        self._names: set[str] = set()
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}
        global _latest
        _latest = self

    def operation_label(self, record: RequestRecord) -> str:
        if not record.valid:
            return "invalid"
        name = (record.operation_name or "anonymous")[:NAME_LIMIT]
        if name not in self._names:
            if len(self._names) >= MAX_OPERATION_NAMES:
                return "other"
            self._names.add(name)
        return name

    def observe(self, record: RequestRecord, pool: object | None) -> None:
        """Count a finished request, and its GraphQL operation."""
        self.pool_connections(pool)
        path = record.path if record.path in PATHS else "other"
        method = record.method if record.method in METHODS else "OTHER"
        seconds = record.duration_ms / 1000
        self._child(self.requests, method, path, str(record.status)).inc()
        self._child(self.latency, path).observe(seconds)
        if not record.graphql:
            return
        name, kind = self.operation_label(record), record.operation_type or "unknown"
        self._child(self.operations, name, kind, record.outcome).inc()
        self._child(self.operation_latency, name, kind).observe(seconds)
        for code in record.error_codes:
            self._child(self.errors, code).inc()

    def pool_connections(self, pool: object | None) -> None:
        """The pool's connections now (each worker's, added up across workers)."""
        if pool is not None:
            self._child(self.pool, "checked_out").set(pool.checkedout())  # type: ignore[attr-defined]
            self._child(self.pool, "idle").set(pool.checkedin())  # type: ignore[attr-defined]

    def _child(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, looked up once: prometheus_client validates and locks on
        every call, a measurable share of a compiled request. Label values are bounded."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def render(self) -> bytes:
        if not multiprocess_mode():
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        PlatformCollector(registry=registry)
        return generate_latest(registry)


_CURRENT: ContextVar[Metrics | None] = ContextVar("khub_metrics", default=None)
_latest: Metrics | None = None


def bind(metrics: Metrics) -> object:
    """Make `metrics` the ones `rate_limited` and `pool_waited` count on for this request."""
    return _CURRENT.set(metrics)


def unbind(token: object) -> None:
    _CURRENT.reset(token)  # type: ignore[arg-type]


def _current() -> Metrics | None:
    return _CURRENT.get() or _latest


def rate_limited(reason: str) -> None:
    """Count a request a rate limit refused (`reason`: a short fixed word, never a value)."""
    if (metrics := _current()) is not None:
        metrics.refusals.labels(reason[:NAME_LIMIT]).inc()


def pool_waited(seconds: float) -> None:
    """Record how long an operation waited for its database connection."""
    if (metrics := _current()) is not None:
        metrics.pool_wait.observe(seconds)


def metrics_endpoint(*, token: str | None, production: bool) -> Endpoint:
    """`/metrics`, for whoever holds `token` (KHUB_METRICS_TOKEN) as a bearer token.

    Without a token it is open in development and absent (404) in production: request
    rates and pool usage are for the operator, not for the internet.
    """

    async def endpoint(request: Request) -> Response:
        if token is None and production:
            return PlainTextResponse("Not Found", status_code=404)
        if token is not None and not _bearer_matches(request, token):
            return PlainTextResponse(
                "a bearer token is required", status_code=401, headers=UNAUTHORIZED
            )
        db = getattr(request.app.state, "db", None)
        request.app.state.metrics.pool_connections(db.engine.pool if db is not None else None)
        body = request.app.state.metrics.render()
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return endpoint


UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="metrics"'}


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
