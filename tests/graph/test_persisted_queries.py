"""Automatic Persisted Queries (Apollo's protocol) through the real app: a hash the server
does not know, registering the text with its hash, then the hash alone, by POST and GET."""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from graph.app import create_app
from graph.persisted.settings import PersistedSettings
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.persisted.models import PersistedDocument
from persistence.settings import Settings
from tests.fixtures.persisted import bearer, fresh, persisted, sha256
from tests.graph.conftest import World

VIEWER = "query Viewer { viewer { username } }"
DOCUMENTS = "query Documents($first: Int!) { documents(first: $first) { totalCount } }"
CREATE = 'mutation Create { documentCreate(input: {title: "By hash"}) { __typename } }'
INVALID = "query Invalid { viewer { noSuchField } }"


async def by_hash(
    client: httpx.AsyncClient, text: str, token: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    body = {"extensions": persisted(text), "variables": variables or {}}
    return await client.post("/graphql", json=body, headers=bearer(token))


async def with_text(
    client: httpx.AsyncClient, text: str, token: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    body = {"query": text, "extensions": persisted(text), "variables": variables or {}}
    return await client.post("/graphql", json=body, headers=bearer(token))


async def stored(database: Database, text: str) -> int:
    async with database.transaction() as session:
        query = select(func.count()).where(PersistedDocument.document_id == sha256(text))
        return int(await session.scalar(query) or 0)


@pytest.fixture
async def another_instance(settings: Settings, app_database: Database) -> AsyncIterator[Any]:
    """A second server on the same database, with its own (empty) in-process caches."""
    app = create_app(ServerSettings(database=settings), database=app_database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_an_unknown_hash_answers_persisted_query_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await by_hash(client, fresh(VIEWER), world.viewer.token)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["message"] == "PersistedQueryNotFound"
    assert errors[0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in response.json()


async def test_a_miss_then_the_text_registers_it_and_the_hash_alone_then_runs(
    client: httpx.AsyncClient, world: World
) -> None:
    text, variables = fresh(DOCUMENTS), {"first": 2}
    plain = await client.post(
        "/graphql", json={"query": text, "variables": variables}, headers=bearer(world.viewer.token)
    )

    missed = await by_hash(client, text, world.viewer.token, variables)
    registered = await with_text(client, text, world.viewer.token, variables)
    hit = await by_hash(client, text, world.viewer.token, variables)

    assert missed.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.json() == plain.json() == {"data": {"documents": {"totalCount": 0}}}
    assert hit.status_code == 200
    assert hit.json() == plain.json()
    assert hit.headers["x-khub-execution"] == "compiled"


async def test_get_with_the_hash_only_runs_the_registered_query(
    client: httpx.AsyncClient, world: World
) -> None:
    text = fresh(VIEWER)
    await with_text(client, text, world.editor.token)

    response = await client.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(text))},
        headers=bearer(world.editor.token),
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"username": "editor"}}}


async def test_registration_is_shared_by_every_instance(
    client: httpx.AsyncClient, another_instance: httpx.AsyncClient, world: World
) -> None:
    text = fresh(VIEWER)
    await with_text(client, text, world.viewer.token)

    response = await by_hash(another_instance, text, world.viewer.token)

    assert response.json() == {"data": {"viewer": {"username": "viewer"}}}


async def test_a_hash_that_does_not_match_the_text_is_refused_and_not_kept(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    text, other = fresh(VIEWER), fresh(VIEWER)
    body = {"query": text, "extensions": persisted(other)}

    response = await client.post("/graphql", json=body, headers=bearer(world.viewer.token))

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["message"] == "provided sha does not match query"
    assert errors[0]["extensions"]["code"] == "BAD_REQUEST"
    assert await stored(database, text) == 0
    assert await stored(database, other) == 0


async def test_an_invalid_document_is_answered_but_not_registered(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    text = fresh(INVALID)

    response = await with_text(client, text, world.viewer.token)

    assert "noSuchField" in response.json()["errors"][0]["message"]
    assert await stored(database, text) == 0


async def test_an_unsupported_version_is_refused(client: httpx.AsyncClient, world: World) -> None:
    text = fresh(VIEWER)
    body = {"query": text, "extensions": persisted(text, version=2)}

    response = await client.post("/graphql", json=body, headers=bearer(world.viewer.token))

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_registered_mutation_still_needs_post(
    client: httpx.AsyncClient, world: World
) -> None:
    text = fresh(CREATE)
    assert (await with_text(client, text, world.editor.token)).json() == {
        "data": {"documentCreate": {"__typename": "DocumentCreateSuccess"}}
    }

    response = await client.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(text))},
        headers=bearer(world.editor.token),
    )

    assert response.status_code == 405


async def test_a_registered_document_is_validated_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    validate_module = importlib.import_module("graphql.validation.validate")
    made: list[Any] = []
    original = validate_module.ValidationContext

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(validate_module, "ValidationContext", counting)
    text = fresh(VIEWER)

    await with_text(client, text, world.viewer.token)
    hits = [await by_hash(client, text, world.viewer.token) for _ in range(3)]

    assert [hit.json() for hit in hits] == [{"data": {"viewer": {"username": "viewer"}}}] * 3
    assert len(made) == 1


async def test_registration_stops_at_the_cap_but_the_query_still_runs(
    settings: Settings,
    app_database: Database,
    another_instance: httpx.AsyncClient,
    database: Database,
    world: World,
) -> None:
    persisted_settings = PersistedSettings(apq_max_documents=0)
    app = create_app(
        ServerSettings(database=settings, persisted=persisted_settings), database=app_database
    )
    text = fresh(VIEWER)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as capped:
        response = await with_text(capped, text, world.viewer.token)

    assert response.json() == {"data": {"viewer": {"username": "viewer"}}}
    assert await stored(database, text) == 0


async def test_without_apq_an_unknown_hash_is_not_supported(
    settings: Settings, app_database: Database, database: Database, world: World
) -> None:
    app = create_app(
        ServerSettings(database=settings, persisted=PersistedSettings(apq=False)),
        database=app_database,
    )
    text = fresh(VIEWER)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        missed = await by_hash(client, text, world.viewer.token)
        ran = await with_text(client, text, world.viewer.token)

    assert missed.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
    assert ran.json() == {"data": {"viewer": {"username": "viewer"}}}
    assert await stored(database, text) == 0
