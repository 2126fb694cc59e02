"""Trusted-documents mode: only documents an operator pushed (`khub documents push`) run,
sent by id; raw text and unknown ids are refused before anything runs."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from graph.app import create_app
from graph.cli import main
from graph.persisted.settings import PersistedSettings
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.persisted.models import PersistedDocument
from persistence.settings import Settings
from tests.fixtures.persisted import bearer, fresh, persisted, sha256
from tests.graph.conftest import World
from tests.graph.test_cors import handshake

VIEWER = "query Viewer { viewer { username } }"
DOCUMENTS = "query Documents($first: Int!) { documents(first: $first) { totalCount } }"
INVALID = "query Invalid { viewer { noSuchField } }"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def codegen_manifest(tmp_path: Path, *bodies: str) -> Path:
    """`persisted-documents.json` as GraphQL Code Generator's client preset writes it."""
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps({sha256(b): b for b in bodies}), encoding="utf-8")
    return path


async def khub(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str, *args: str
) -> tuple[int, str, str]:
    """`khub …` through the CLI's entry point, against the test database."""
    monkeypatch.setenv("DATABASE_URL", url)
    code = await asyncio.to_thread(main, list(args))
    out, err = capsys.readouterr()
    return code, out, err


async def rows(database: Database, *ids: str) -> list[tuple[str, str, Any]]:
    async with database.transaction() as session:
        found = await session.execute(
            select(
                PersistedDocument.document_id, PersistedDocument.kind, PersistedDocument.updated_at
            )
            .where(PersistedDocument.document_id.in_(ids))
            .order_by(PersistedDocument.document_id)
        )
        return [tuple(row) for row in found]


@pytest.fixture
async def trusted(settings: Settings, app_database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A server in trusted-documents mode (KHUB_TRUSTED_DOCUMENTS=1)."""
    persisted = PersistedSettings(trusted=True, apq=False)
    app = create_app(ServerSettings(database=settings, persisted=persisted), database=app_database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def pushed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> dict[str, str]:
    """Two documents pushed from a codegen manifest: name → text."""
    bodies = {"viewer": fresh(VIEWER), "documents": fresh(DOCUMENTS)}
    code, _, err = await khub(
        monkeypatch,
        capsys,
        database_url,
        "documents",
        "push",
        str(codegen_manifest(tmp_path, *bodies.values())),
    )
    assert code == 0, err
    return bodies


async def test_a_raw_query_is_refused(trusted: httpx.AsyncClient, world: World) -> None:
    response = await trusted.post(
        "/graphql", json={"query": VIEWER}, headers=bearer(world.viewer.token)
    )
    strict = await trusted.post(
        "/graphql",
        json={"query": VIEWER},
        headers=bearer(world.viewer.token, Accept=GRAPHQL_RESPONSE),
    )

    assert response.status_code == 200
    assert "data" not in response.json()
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["extensions"]["code"] == "PERSISTED_QUERY_ID_REQUIRED"
    assert strict.status_code == 400


async def test_a_raw_query_by_get_is_refused(trusted: httpx.AsyncClient, world: World) -> None:
    response = await trusted.get(
        "/graphql", params={"query": VIEWER}, headers=bearer(world.viewer.token)
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ID_REQUIRED"


async def test_an_unknown_id_is_refused(trusted: httpx.AsyncClient, world: World) -> None:
    response = await trusted.post(
        "/graphql",
        json={"documentId": sha256(fresh(VIEWER))},
        headers=bearer(world.viewer.token),
    )

    errors = response.json()["errors"]
    assert len(errors) == 1
    assert errors[0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_a_pushed_document_runs_by_document_id(
    trusted: httpx.AsyncClient, pushed: dict[str, str], world: World
) -> None:
    body = {"documentId": sha256(pushed["documents"]), "variables": {"first": 1}}

    response = await trusted.post("/graphql", json=body, headers=bearer(world.viewer.token))

    assert response.json() == {"data": {"documents": {"totalCount": 0}}}


async def test_a_pushed_document_runs_by_apq_hash_over_get(
    trusted: httpx.AsyncClient, pushed: dict[str, str], world: World
) -> None:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(pushed["viewer"])}}

    response = await trusted.get(
        "/graphql",
        params={"extensions": json.dumps(extensions)},
        headers=bearer(world.admin.token),
    )

    assert response.json() == {"data": {"viewer": {"username": "admin"}}}


async def test_the_text_with_its_hash_is_refused_and_not_registered(
    trusted: httpx.AsyncClient, database: Database, world: World
) -> None:
    query = fresh(VIEWER)
    extensions = persisted(query)

    response = await trusted.post(
        "/graphql",
        json={"query": query, "extensions": extensions},
        headers=bearer(world.viewer.token),
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_ID_REQUIRED"
    assert await rows(database, sha256(query)) == []


async def test_a_document_clients_registered_is_not_trusted(
    client: httpx.AsyncClient, trusted: httpx.AsyncClient, world: World
) -> None:
    query = fresh(VIEWER)
    extensions = persisted(query)
    registered = await client.post(
        "/graphql",
        json={"query": query, "extensions": extensions},
        headers=bearer(world.viewer.token),
    )
    assert registered.json() == {"data": {"viewer": {"username": "viewer"}}}

    response = await trusted.post(
        "/graphql", json={"extensions": extensions}, headers=bearer(world.viewer.token)
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


async def test_pushing_twice_changes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    database: Database,
) -> None:
    bodies = [fresh(VIEWER), fresh(DOCUMENTS)]
    manifest = str(codegen_manifest(tmp_path, *bodies))

    first = await khub(monkeypatch, capsys, database_url, "documents", "push", manifest)
    before = await rows(database, *map(sha256, bodies))
    again = await khub(monkeypatch, capsys, database_url, "documents", "push", manifest)

    assert first[0] == again[0] == 0
    assert "2 added" in first[1]
    assert "0 added" in again[1] and "2 already trusted" in again[1]
    assert [kind for _, kind, _ in before] == ["trusted", "trusted"]
    assert await rows(database, *map(sha256, bodies)) == before


async def test_an_apollo_operation_manifest_is_pushed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    trusted: httpx.AsyncClient,
    world: World,
) -> None:
    body = fresh(VIEWER)
    manifest = tmp_path / "persisted-query-manifest.json"
    operation = {"id": sha256(body), "name": "Viewer", "type": "query", "body": body}
    manifest.write_text(
        json.dumps(
            {"format": "apollo-persisted-query-manifest", "version": 1, "operations": [operation]}
        )
    )

    code, out, err = await khub(
        monkeypatch, capsys, database_url, "documents", "push", str(manifest)
    )
    response = await trusted.post(
        "/graphql", json={"documentId": sha256(body)}, headers=bearer(world.editor.token)
    )

    assert code == 0, err
    assert "1 added" in out
    assert response.json() == {"data": {"viewer": {"username": "editor"}}}


async def test_a_manifest_with_an_invalid_document_pushes_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    database: Database,
) -> None:
    bodies = [fresh(VIEWER), fresh(INVALID)]

    code, _, err = await khub(
        monkeypatch,
        capsys,
        database_url,
        "documents",
        "push",
        str(codegen_manifest(tmp_path, *bodies)),
    )

    assert code == 1
    assert err.startswith("error: 1 document(s)")
    assert sha256(bodies[1]) in err and "noSuchField" in err
    assert await rows(database, *map(sha256, bodies)) == []


async def test_a_file_that_is_no_manifest_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    path = tmp_path / "schema.json"
    path.write_text('["query { viewer { id } }"]')

    code, _, err = await khub(monkeypatch, capsys, database_url, "documents", "push", str(path))

    assert code == 1
    assert err.startswith("error: not a manifest")


async def test_documents_list_shows_pushed_documents(
    pushed: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    code, out, _ = await khub(monkeypatch, capsys, database_url, "documents", "list")

    assert code == 0
    line = next(line for line in out.splitlines() if sha256(pushed["viewer"]) in line)
    assert "trusted" in line and "Viewer" in line


async def test_the_app_role_cannot_add_a_trusted_document(app_database: Database) -> None:
    statement = text(
        "INSERT INTO persisted_documents (id, document_id, body, kind)"
        " VALUES (gen_random_uuid(), :id, '{ viewer { id } }', 'trusted')"
    )

    with pytest.raises(DBAPIError) as raised:
        async with app_database.engine.begin() as connection:
            await connection.execute(statement, {"id": uuid.uuid4().hex})

    assert "permission denied" in str(raised.value.orig)


async def test_websocket_operations_are_refused(settings: Settings, app_database: Database) -> None:
    persisted = PersistedSettings(trusted=True, apq=False)
    app = create_app(ServerSettings(database=settings, persisted=persisted), database=app_database)

    sent = await handshake(app, "http://testserver")

    assert sent[0]["type"] == "websocket.close"
