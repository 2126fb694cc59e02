"""Two apps on one database: compiled reads on (the default) and off (the reference)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.settings import Settings
from persistence.user.models import Role
from tests.graph.conftest import Member, organization_with


class Answer:
    """One HTTP answer: its JSON, and which executor produced it."""

    def __init__(self, response: httpx.Response) -> None:
        assert response.status_code == 200, response.text
        self.json = response.json()
        self.execution = response.headers.get("x-khub-execution")


class Both:
    """Sends each operation to both apps."""

    def __init__(self, compiled: httpx.AsyncClient, reference: httpx.AsyncClient) -> None:
        self.compiled = compiled
        self.reference = reference

    async def send(
        self,
        client: httpx.AsyncClient,
        query: str,
        variables: dict[str, Any] | None,
        token: str | None,
    ) -> Answer:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables or {}}
        return Answer(await client.post("/graphql", json=body, headers=headers))

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None
    ) -> tuple[Answer, Answer]:
        compiled = await self.send(self.compiled, query, variables, token)
        reference = await self.send(self.reference, query, variables, token)
        assert reference.execution == "reference"
        return compiled, reference


@pytest.fixture(scope="session")
def reference_app(server_settings: ServerSettings, app_database: Database) -> Any:
    return create_app(replace(server_settings, compiled_reads=False), database=app_database)


@pytest.fixture
async def both(client: httpx.AsyncClient, reference_app: Any) -> AsyncIterator[Both]:
    transport = httpx.ASGITransport(app=reference_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as reference:
        yield Both(client, reference)


def same(compiled: Answer, reference: Answer) -> None:
    """Equal JSON, keys in the same order, and the compiled path really answered."""
    assert compiled.execution == "compiled"
    assert _first_difference(compiled.json, reference.json) is None
    assert _ordered(compiled.json) == _ordered(reference.json)


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if a != b or type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    return None


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


@pytest.fixture
async def outsider(database: Database, settings: Settings) -> AsyncIterator[Member]:
    """An admin of another organization: none of the world's rows are ever theirs to see."""
    async with organization_with(database, settings, {"admin": Role.ADMIN}, name="Other") as other:
        yield other.admin
