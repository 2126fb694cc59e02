"""Parse and validate once per distinct document, on both execution paths."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from tests.graph.conftest import World

COMPILED = "{ viewer { username } }"
# similarNodes does not compile (docs/decisions.md, "Compiled read path")
REFERENCE = (
    f'{{ similarNodes(to: "{to_base64("KnowledgeNode", uuid.UUID(int=1))}") {{ distance }} }}'
)
MUTATION = 'mutation { documentCreate(input: {title: "x"}) { __typename } }'


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every validation graphql-core runs, whoever calls it: each makes a context."""
    validate_module = importlib.import_module("graphql.validation.validate")
    made: list[Any] = []
    original = validate_module.ValidationContext

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(validate_module, "ValidationContext", counting)
    return made


async def _post(client: httpx.AsyncClient, query: str, token: str) -> httpx.Response:
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize(
    ("query", "path"),
    [(COMPILED, "compiled"), (REFERENCE, "reference"), (MUTATION, "reference")],
)
async def test_a_repeated_document_is_validated_once(
    client: httpx.AsyncClient, world: World, validations: list[Any], query: str, path: str
) -> None:
    # A fresh text (the app lives as long as the test session, and so does its cache).
    query = f"# {uuid.uuid4()}\n{query}"

    first = await _post(client, query, world.admin.token)
    assert first.headers["x-khub-execution"] == path
    assert len(validations) == 1

    validations.clear()
    second = await _post(client, query, world.admin.token)

    assert second.headers["x-khub-execution"] == path
    assert "errors" not in second.json()
    assert validations == []


async def test_a_repeated_invalid_document_reports_its_errors_each_time(
    client: httpx.AsyncClient, world: World, validations: list[Any]
) -> None:
    query = f"# {uuid.uuid4()}\n{{ viewer {{ nope }} }}"

    first = (await _post(client, query, world.admin.token)).json()
    second = (await _post(client, query, world.admin.token)).json()

    assert len(validations) == 1
    assert first == second
    assert "nope" in first["errors"][0]["message"]
