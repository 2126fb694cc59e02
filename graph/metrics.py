"""`/metrics` in the Prometheus text format: requests, latency and the connection pool.

Counters live in the process: with `--workers N` each worker reports its own (scrape them
behind one address and the numbers mix; run one worker per container to keep them apart).
"""

from __future__ import annotations

import hmac
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

Endpoint = Callable[[Request], Awaitable[Response]]
DURATION = "khub_http_request_duration_seconds"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass
class Metrics:
    """Request counts by path and status, and a latency histogram by path."""

    requests: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    buckets: Counter[tuple[str, float]] = field(default_factory=Counter)
    seconds: Counter[str] = field(default_factory=Counter)
    observed: Counter[str] = field(default_factory=Counter)

    def observe(self, method: str, path: str, status: int, elapsed: float) -> None:
        self.requests[(method, path, status)] += 1
        self.seconds[path] += elapsed
        self.observed[path] += 1
        for bound in BUCKETS:
            if elapsed <= bound:
                self.buckets[(path, bound)] += 1

    def render(self, pool: object | None) -> str:
        lines = [
            "# HELP khub_http_requests_total HTTP requests by method, path and status.",
            "# TYPE khub_http_requests_total counter",
        ]
        for (method, path, status), n in sorted(self.requests.items()):
            lines.append(
                f'khub_http_requests_total{{method="{method}",path="{path}",status="{status}"}} {n}'
            )
        lines += [
            f"# HELP {DURATION} Time to answer, by path.",
            f"# TYPE {DURATION} histogram",
        ]
        for path in sorted(self.observed):
            for bound in BUCKETS:
                count = self.buckets[(path, bound)]
                lines.append(f'{DURATION}_bucket{{path="{path}",le="{bound}"}} {count}')
            total = self.observed[path]
            lines.append(f'{DURATION}_bucket{{path="{path}",le="+Inf"}} {total}')
            lines.append(f'{DURATION}_sum{{path="{path}"}} {self.seconds[path]:.6f}')
            lines.append(f'{DURATION}_count{{path="{path}"}} {total}')
        if pool is not None:
            lines += [
                "# HELP khub_db_pool_connections Database connections by state.",
                "# TYPE khub_db_pool_connections gauge",
                f'khub_db_pool_connections{{state="checked_out"}} {pool.checkedout()}',  # type: ignore[attr-defined]
                f'khub_db_pool_connections{{state="idle"}} {pool.checkedin()}',  # type: ignore[attr-defined]
            ]
        return "\n".join(lines) + "\n"


class MetricsMiddleware:
    """Times every HTTP request; paths are the routes' own (no ids in them)."""

    KNOWN = ("/graphql", "/healthz", "/readyz", "/metrics")

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            path = scope["path"] if scope["path"] in self.KNOWN else "other"
            elapsed = time.perf_counter() - started
            self.metrics.observe(scope["method"], path, status, elapsed)


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
        pool = db.engine.pool if db is not None else None
        body = request.app.state.metrics.render(pool)
        return PlainTextResponse(body, media_type="text/plain; version=0.0.4")

    return endpoint


UNAUTHORIZED = {"WWW-Authenticate": 'Bearer realm="metrics"'}


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
