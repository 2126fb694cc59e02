"""Runs one operation on both executors and says exactly where their responses differ.

Responses are compared as parsed JSON with object keys in order (GraphQL promises selection
order) and no normalising of values: a DateTime printed two ways is a difference. JSON has
one number type, so 1 and 1.0 are equal; true and 1 are not. Errors are compared by message,
locations, path and `extensions.code`, in order; the response's own keys in order too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import httpx

EXECUTION_HEADER = "x-khub-execution"


class Pairs(list):
    """A JSON object as its (key, value) pairs in document order."""


def parse(text: str) -> Any:
    return json.loads(text, object_pairs_hook=Pairs)


def difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where `a` and `b` first differ, or None; key order and value types count."""
    if isinstance(a, Pairs) and isinstance(b, Pairs):
        keys_a, keys_b = [k for k, _ in a], [k for k, _ in b]
        if keys_a != keys_b:
            return f"{path}: keys {keys_a} != {keys_b}"
        for (key, value_a), (_, value_b) in zip(a, b, strict=True):
            if found := difference(value_a, value_b, f"{path}.{key}"):
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and not isinstance(a, Pairs | str):
        if isinstance(b, Pairs) or len(a) != len(b):
            return f"{path}: {_short(a)} != {_short(b)}"
        for i, (item_a, item_b) in enumerate(zip(a, b, strict=True)):
            if found := difference(item_a, item_b, f"{path}[{i}]"):
                return found
        return None
    if _kind(a) != _kind(b) or a != b:
        return f"{path}: {_short(a)} != {_short(b)}"
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _plain(value: Any) -> Any:
    """Pairs back to objects (in their order), for messages."""
    if isinstance(value, Pairs):
        return {key: _plain(item) for key, item in value}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _short(value: Any) -> str:
    text = json.dumps(_plain(value), ensure_ascii=False)
    return text if len(text) < 200 else text[:200] + "…"


@dataclass
class Response:
    """One executor's answer: status, which path ran it, and the parsed body."""

    status: int
    execution: str
    text: str
    body: Any

    def part(self, key: str) -> Any:
        return next((v for k, v in self.body if k == key), "<absent>")

    @property
    def errors(self) -> Any:
        """Message, path and `extensions.code` of each error, in order."""
        errors = self.part("errors")
        if not isinstance(errors, list):
            return errors
        return [
            Pairs(
                [
                    ("message", dict(e).get("message")),
                    ("locations", [dict(at) for at in dict(e).get("locations") or []]),
                    ("path", dict(e).get("path")),
                    ("code", dict(dict(e).get("extensions") or []).get("code")),
                ]
            )
            for e in errors
        ]


@dataclass
class Tally:
    """How many operations ran, how many the compiled path answered, how many had errors."""

    operations: int = 0
    compiled: int = 0
    with_errors: int = 0
    documents: set[str] = field(default_factory=set)

    def count(self, query: str, compiled: Response, reference: Response) -> None:
        self.operations += 1
        self.documents.add(query)
        self.compiled += compiled.execution == "compiled"
        self.with_errors += reference.part("errors") != "<absent>"

    @property
    def compiled_share(self) -> float:
        return self.compiled / self.operations if self.operations else 0.0

    @property
    def compiler_present(self) -> bool:
        return self.compiled > 0


TALLIES: dict[str, Tally] = {}


class Differential:
    """Posts each operation to the reference and the compiled app, and compares."""

    def __init__(self, reference: httpx.AsyncClient, compiled: httpx.AsyncClient) -> None:
        self.reference = reference
        self.compiled = compiled

    async def compare(
        self,
        query: str,
        *,
        token: str | None,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        tally: str,
        label: str = "",
        foreign: Collection[str] = (),
    ) -> tuple[Response, Response]:
        """Post to both apps; fail where they differ or where either shows `foreign` text
        (the global ids and slug of an organization the caller is not in)."""
        payload = {"query": query, "variables": variables or {}, "operationName": operation_name}
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        reference, compiled = await asyncio.gather(
            _post(self.reference, payload, headers), _post(self.compiled, payload, headers)
        )
        TALLIES.setdefault(tally, Tally()).count(query, compiled, reference)
        where = (
            _leak(reference, foreign)
            or _leak(compiled, foreign)
            or _status(reference, compiled)
            or difference(_keys(reference), _keys(compiled), "$")
            or difference(reference.part("data"), compiled.part("data"), "$.data")
            or difference(reference.errors, compiled.errors, "$.errors")
        )
        assert where is None, (
            f"{label}: the compiled path ({compiled.execution}) differs from the reference at "
            f"{where}\nvariables: {variables}\noperation:\n{query}"
        )
        return reference, compiled


def _leak(response: Response, foreign: Collection[str]) -> str | None:
    leaked = sorted(text for text in foreign if text in response.text)
    return (
        f"the {response.execution} path shows another organization's {leaked}" if leaked else None
    )


def _keys(response: Response) -> Any:
    """The response's own keys in order (`data`, `errors`, `extensions`)."""
    return [key for key, _ in response.body] if isinstance(response.body, Pairs) else []


def _status(reference: Response, compiled: Response) -> str | None:
    if reference.status != compiled.status:
        return f"HTTP status {reference.status} != {compiled.status}"
    return None


async def _post(client: httpx.AsyncClient, payload: dict, headers: dict) -> Response:
    response = await client.post("/graphql", json=payload, headers=headers)
    return Response(
        status=response.status_code,
        execution=response.headers.get(EXECUTION_HEADER, "reference"),
        text=response.text,
        body=parse(response.text),
    )
