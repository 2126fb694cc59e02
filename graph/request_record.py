"""What one HTTP request did, gathered while it runs, for its log line, metrics and span.

The record lives in a context variable set by `graph/observe.py` for the request's task;
the executor's tasks and SQLAlchemy's greenlets inherit it, so a statement counts on the
request that sent it wherever it runs. Everything here is cheap: no JSON, no base64 until
the log line is written.
"""

from __future__ import annotations

import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from graphql import OperationDefinitionNode
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

REQUEST_ID_HEADER = b"x-request-id"
# Printable ASCII without spaces, quotes, angle brackets or backslashes (it is echoed in
# headers, messages and logs), as long as the audit column holds.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9!#$%&()*+,\-./:;=?@\[\]^_{|}~]{1,64}$")
NAME_LIMIT = 100  # an operation name in a log line


@dataclass
class RequestRecord:
    """One request's facts; the GraphQL ones stay None for requests that are not GraphQL."""

    request_id: str
    method: str
    path: str
    started: float = field(default_factory=time.perf_counter)
    status: int = 500
    duration_ms: float = 0.0
    graphql: bool = False
    operation_name: str | None = None
    operation_type: str | None = None
    valid: bool = False
    """The document parsed and passed validation (the operation name may label metrics)."""
    statements: int = 0
    cost: int | float | None = None
    """Set by cost analysis; else read from the request's context (`Context.cost`)."""
    error_codes: list[str] = field(default_factory=list)
    context: Any = None
    """The GraphQL `Context` of the request (or what stands for it: anything with the
    principal as its `viewer`)."""
    execution: str | None = None
    """Which path answered: `compiled`, `express` (the compiled statement, answered below the
    Starlette stack: graph/compiler/express.py) or `reference` (Strawberry's executor)."""

    def describe(self, schema: Any, query: str, operation_name: str | None) -> None:
        """Name the operation from its checked document (cached: no parsing here)."""
        self.graphql = True
        self.operation_name = operation_name
        checked = schema.documents.get(schema._schema, query)
        if checked.document is None:
            return
        operations = [
            d for d in checked.document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        if operation_name is not None:
            operations = [o for o in operations if o.name and o.name.value == operation_name]
        if len(operations) != 1:
            return
        operation = operations[0]
        self.operation_type = operation.operation.value
        self.operation_name = operation.name.value if operation.name else None
        self.valid = not checked.errors

    @property
    def outcome(self) -> str:
        """success, client_error (the caller's mistake or refusal) or server_error."""
        if self.status >= 500 or "INTERNAL_SERVER_ERROR" in self.error_codes:
            return "server_error"
        if self.error_codes or self.status >= 400:
            return "client_error"
        return "success"

    def principal(self) -> tuple[str | None, str | None]:
        """The caller's global id (the API key's when it came with one) and organization's."""
        from strawberry.relay import to_base64

        viewer = getattr(self.context, "viewer", None)
        if viewer is None or viewer.user is None:
            return None, None
        principal = (
            to_base64("ApiKey", viewer.api_key_id)
            if viewer.api_key_id is not None
            else to_base64("User", viewer.user.id)
        )
        return principal, to_base64("Organization", viewer.user.organization_id)

    def request_cost(self) -> int | float | None:
        if self.cost is not None:
            return self.cost
        measured = getattr(self.context, "cost", None)  # graph/core/cost_limit.Measured
        return getattr(measured, "requested", measured)


_CURRENT: ContextVar[RequestRecord | None] = ContextVar("khub_request", default=None)


def current() -> RequestRecord | None:
    """The record of the request this code runs for, if any (None in the CLI, websockets)."""
    return _CURRENT.get()


def begin(record: RequestRecord) -> Any:
    return _CURRENT.set(record)


def end(token: Any) -> None:
    _CURRENT.reset(token)


def request_id_of(headers: dict[bytes, bytes]) -> str:
    """The caller's `X-Request-Id` when plain printable ASCII of at most 64 characters, else
    a new one."""
    given = headers.get(REQUEST_ID_HEADER, b"").decode("latin-1")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def error_codes(response_data: Any) -> list[str]:
    """Each error's code, as the client sees it; errors without one are named by kind."""
    if not isinstance(response_data, dict):
        return []
    codes = []
    for error in response_data.get("errors") or []:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        if not isinstance(code, str):
            if error.get("path"):
                code = "INTERNAL_SERVER_ERROR"  # a bug, unmasked in development
            elif str(error.get("message", "")).startswith("Syntax Error"):
                code = "GRAPHQL_PARSE_FAILED"
            else:
                code = "GRAPHQL_VALIDATION_FAILED"
        codes.append(code[:64])
    return codes


def _count_statement(*_args: Any) -> None:
    record = _CURRENT.get()
    if record is not None:
        record.statements += 1


def count_statements(engine: AsyncEngine) -> None:
    """Count every statement the engine sends on the request that sent it (once per engine,
    however many apps share it)."""
    target = engine.sync_engine
    if not event.contains(target, "before_cursor_execute", _count_statement):
        event.listen(target, "before_cursor_execute", _count_statement)
