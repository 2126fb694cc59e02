"""The benchmark's client: the real app over httpx's ASGI transport, and a SQL recorder.

Every request goes through everything a deployed server runs except the socket: HTTP
parsing, the request-id middleware, Strawberry's validation and execution, the loaders,
the per-operation connection and SQL. Statements are counted (and timed) by a
`before_cursor_execute`/`after_cursor_execute` listener pair on `engine.sync_engine`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# The statement that opens a transaction's scope; its second occurrence in an operation
# starts the operation's own transaction (the first one scopes authentication).
SCOPE_MARKER = "set_config('statement_timeout'"


@dataclass
class Statement:
    sql: str
    parameters: Any
    seconds: float = 0.0


class StatementRecorder:
    """Every statement the engine sends while attached, with its client-side duration.

    The duration runs from the driver call to the rows being fetched: network round trips,
    PostgreSQL's planning and execution, and the driver decoding the rows.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.statements: list[Statement] = []
        self.paused = False
        self._started = 0.0

    def __enter__(self) -> StatementRecorder:
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(self.engine.sync_engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._before)
        event.remove(self.engine.sync_engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.statements = []

    @property
    def count(self) -> int:
        return len(self.statements)

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.statements)

    @property
    def authentication_count(self) -> int:
        """Statements before the operation's own transaction: scope plus the token lookup."""
        marks = [i for i, s in enumerate(self.statements) if SCOPE_MARKER in s.sql]
        return marks[1] if len(marks) > 1 else 0

    def _before(self, _conn: Any, _cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        if not self.paused:
            self.statements.append(Statement(sql, parameters))
            self._started = time.perf_counter()

    def _after(self, *_: Any) -> None:
        if not self.paused and self.statements:
            self.statements[-1].seconds = time.perf_counter() - self._started


class GraphQLError(RuntimeError):
    """The server answered an operation with errors: the benchmark's input is wrong, or
    the field does not (yet) behave as agreed."""


class Client:
    """Posts operations to /graphql the way a frontend does, as one logged-in user."""

    def __init__(self, app: Any, token: str) -> None:
        transport = httpx.ASGITransport(app=app)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://bench")
        self.headers = {"Authorization": f"Bearer {token}"}

    async def close(self) -> None:
        await self.http.aclose()

    async def post(self, query: str, variables: dict[str, Any]) -> httpx.Response:
        """One operation, the response body read in full (what the timing covers)."""
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        )

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """`data` of an operation; raises GraphQLError on any error."""
        return data_of(await self.post(query, variables or {}))

    async def fields_of(self, *type_names: str) -> dict[str, set[str]]:
        """The fields each named type has in the running schema (empty when it is missing)."""
        selections = " ".join(
            f't{i}: __type(name: "{name}") {{ fields {{ name }} }}'
            for i, name in enumerate(type_names)
        )
        data = await self.execute(f"{{ {selections} }}")
        return {
            name: {f["name"] for f in (data[f"t{i}"] or {}).get("fields") or []}
            for i, name in enumerate(type_names)
        }


def data_of(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise GraphQLError(f"HTTP {response.status_code}: {response.text[:500]}")
    body = response.json()
    if body.get("errors"):
        raise GraphQLError("; ".join(e.get("message", str(e)) for e in body["errors"]))
    return body["data"]
