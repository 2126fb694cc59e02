"""The express lane: a known caller's repeated query, answered below the Starlette stack.

In steady state most requests are the same few operations from callers seen before, and
for them the compiled path's statement is ready before the request arrives: its plan and
values are cached, and the caller is known (`known_callers`). What the full stack does
around that one statement — Starlette's request and routing, the CORS and body-limit
middleware, Strawberry's view, the request's GraphQL context — then costs as much Python as
everything else the request needs. So this middleware, just inside `Observe` (which still
gives the request its id, metrics and log line), answers such a request itself, when every
condition the full stack would check holds trivially:

- `POST /graphql` with a JSON body in one piece within the body limit, no `Origin` (CORS has
  nothing to add), no `extensions` or `documentId` (cost report, persisted documents);
- a bearer token this process authenticated recently, whose plan for these variables is
  cached, and an operation within the caller's cost limit;
- no rate limit, no trusted-documents mode and no tracing configured (checked once).

Anything else — and any doubt met on the way — hands the request, body replayed, to the
full stack, which then does all of it as before; nothing has been answered or changed.
The statement is the one the compiled path sends (`known_callers`): it authenticates the
token again and answers nothing unless it still opens the same caller.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import metrics, request_record
from graph.body_limit import replay
from graph.compiler.arguments import Env, Fallback
from graph.compiler.document import Operation
from graph.compiler.known_callers import Credential, guard_values
from graph.compiler.pipeline import (
    EXECUTION,
    CompiledReads,
    StatementStopped,
    answered_data,
    canonical_json,
    media_type,
    plan_key,
    stopped,
    viewer_binds,
)
from graph.compiler.plan import Plan
from graph.core import cost, cost_limit
from graph.settings import ServerSettings
from persistence.availability import is_timed_out
from persistence.database import read_pooled

log = logging.getLogger("khub.compiler")

GRAPHQL = "/graphql"
JSON = b"application/json"
VARY_ORIGIN = (b"vary", b"Origin")  # as the CORS middleware marks every answer it passes
EXECUTION_COMPILED = (EXECUTION.lower().encode(), b"compiled")


def applies(settings: ServerSettings) -> bool:
    """Whether the lane may answer at all: with a rate limit every request spends its cost
    as it authenticates, trusted-documents mode refuses raw queries, and tracing wants the
    full stack's spans."""
    return (
        settings.compiled_reads
        and settings.rate_budget is None
        and not settings.persisted.trusted
        and not settings.tracing
    )


class ExpressLane:
    """ASGI middleware: answers known callers' repeated compiled queries (module docstring)."""

    def __init__(self, app: ASGIApp, *, compiled: CompiledReads, settings: ServerSettings):
        self.app = app
        self.compiled = compiled
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != GRAPHQL or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = _Request.of(scope, self.settings.max_body_bytes)
        if request is None:
            await self.app(scope, receive, send)
            return
        messages, complete = await _body(receive, self.settings.max_body_bytes)
        if complete:
            try:
                body = await self._answer(scope, request, b"".join(m["body"] for m in messages))
            except StatementStopped:
                accept = request.accept.decode("latin-1")
                await stopped(accept)(scope, replay(messages, receive), send)
                return
            if body is not None:
                await _send_json(send, body, request.accept)
                return
        await self.app(scope, replay(messages, receive), send)

    async def _answer(self, scope: Scope, request: _Request, body: bytes) -> bytes | None:
        """The response body, or None to let the full stack answer."""
        try:
            data = orjson.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.keys() - {"query", "operationName", "variables"}:
            return None  # extensions, a persisted document's id: the full stack's business
        query, name, variables = data.get("query"), data.get("operationName"), data.get("variables")
        if variables is None:
            variables = {}
        if not isinstance(query, str) or not isinstance(name, str | None):
            return None
        if not isinstance(variables, dict):
            return None
        credential = Credential.of(request.token)
        known = self.compiled.callers.get(credential) if credential is not None else None
        if known is None:
            return None
        operation = self.compiled.documents.get(query, name)
        if not isinstance(operation, Operation):
            return None
        canonical = canonical_json(variables)
        plan = operation.plans.get(plan_key(known.viewer, operation, variables))
        if not isinstance(plan, Plan) or not plan.known(canonical) or plan.errors is not None:
            return None
        schema = self.compiled.schema
        requested = cost.estimate(
            schema._schema, schema.documents.get(schema._schema, query), name, variables
        )
        maximum = cost_limit.maximum_for(self.settings, known.viewer.roles)
        if maximum and requested > maximum:
            return None  # the full stack refuses it, or reports it in development
        try:
            prepared = plan.values(Env(None, **viewer_binds(known.viewer)), canonical)
        except Fallback:
            return None
        record = request_record.current()
        if record is not None:
            record.describe(schema, query, name)
        timeout = self.settings.database.statement_timeout_ms
        started = time.perf_counter()
        text = await _read(
            scope["app"].state.db,
            plan.guarded_sql,
            prepared.values + guard_values(known, credential, timeout),
        )
        if text is None:  # not the same caller any more, or the statement failed
            self.compiled.callers.forget(credential)  # type: ignore[arg-type]
            return None
        recorder = scope["app"].state.retrieval
        data = answered_data(plan, prepared, text, known.viewer, recorder, started)
        if data is None:
            return None
        if record is not None:  # the log line's principal and cost
            record.context, record.cost, record.execution = known, requested, "express"
        return b'{"data":' + data.encode() + b"}"


class _Request:
    """The headers the lane decides on, read once."""

    __slots__ = ("accept", "token")

    def __init__(self, token: str, accept: bytes) -> None:
        self.token = token
        self.accept = accept

    @classmethod
    def of(cls, scope: Scope, max_body_bytes: int) -> _Request | None:
        """The request's bearer token and `Accept`, when nothing in its headers needs the
        full stack: a JSON body of declared length within the limit, and no `Origin`."""
        found: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name == b"origin":
                return None
            found.setdefault(name, value)  # the first of a repeated header, as Starlette reads
        token, content_type = found.get(b"authorization"), found.get(b"content-type")
        length, accept = found.get(b"content-length"), found.get(b"accept")
        if token is None or content_type is None or length is None:
            return None
        if content_type.split(b";")[0].strip().lower() != JSON:
            return None
        if not length.isdigit() or int(length) > max_body_bytes:
            return None
        if token[:7].lower() != b"bearer ":
            return None
        secret = token[7:].strip().decode("latin-1")
        return cls(secret, accept or b"") if secret else None


async def _read(db: Any, sql: str, values: tuple[Any, ...]) -> str | None:
    """The statement's text, on the replica while one is in use (as for any query), else
    the primary; None when it failed (the full stack then answers, and finds out why)."""
    try:
        return await read_pooled(db.reader(), sql, values, metrics.pool_waited)
    except Exception as exc:
        if is_timed_out(exc):  # the full stack would only run as long again
            raise StatementStopped from exc
        log.debug("express statement failed", exc_info=True)
        return None


async def _send_json(send: Send, body: bytes, accept: bytes) -> None:
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", media_type(accept.decode("latin-1")).encode()),
        EXECUTION_COMPILED,
        VARY_ORIGIN,
    ]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _body(receive: Receive, limit: int) -> tuple[list[Message], bool]:
    """The body's messages, and whether they make the whole body within `limit`; reading
    stops at a message that is not a body's or passes the limit (the full stack then
    answers what it must)."""
    messages: list[Message] = []
    received = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, False
        received += len(message.get("body", b""))
        if received > limit:
            return messages, False
        if not message.get("more_body", False):
            return messages, True
