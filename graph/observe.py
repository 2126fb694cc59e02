"""The outermost middleware: each request's id, record, span, metrics and log line.

The request id is the caller's `X-Request-Id` when printable and at most 64 characters,
else a new one; it is echoed in the response, carried by audit events, error logs and the
request's log line. The request's record (graph/request_record.py) is filled as it runs,
and counted and logged once it is answered.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import metrics as metrics_module
from graph import request_log, request_record, tracing
from graph.metrics import Metrics
from graph.request_record import RequestRecord

GRAPHQL = "/graphql"


class Observe:
    """Ids every request; times, counts, traces and logs every HTTP request."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = request_record.request_id_of(headers)
        scope.setdefault("state", {})["request_id"] = request_id
        record = RequestRecord(request_id, scope.get("method", "GET"), scope["path"])
        record.graphql = scope["path"] == GRAPHQL
        html = False

        async def send_with_id(message: Message) -> None:
            nonlocal html
            if message["type"] == "http.response.start":
                record.status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
                html = any(
                    k.lower() == b"content-type" and v.startswith(b"text/html")
                    for k, v in message["headers"]
                )
            await send(message)

        if scope["type"] == "websocket":
            await self.app(scope, receive, send_with_id)
            return
        token, bound = request_record.begin(record), metrics_module.bind(self.metrics)
        try:
            with tracing.request_span(scope, request_id) as span:
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    record.duration_ms = round((time.perf_counter() - record.started) * 1000, 2)
                    tracing.finish_request(span, record)
        finally:
            metrics_module.unbind(bound)
            request_record.end(token)
            record.graphql = record.graphql and not html  # GraphiQL's page is no operation
            db = getattr(scope["app"].state, "db", None) if "app" in scope else None
            self.metrics.observe(record, db.engine.pool if db is not None else None)
            request_log.emit(record)
