"""`GET /files/{id}`: signed, expiring, for its owner only, once."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from graph.files import signing
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.file.models import JobFile
from tests.graph.conftest import Member, World
from tests.graph.transfer.conftest import stored

CONTENT = b"PK\x05\x06" + b"\x00" * 18  # an empty zip


def url(app: Any, file_id: uuid.UUID, *, ttl: int = 60) -> str:
    return signing.download_url(app.state.signing_key, file_id, ttl_seconds=ttl)


async def get(client: httpx.AsyncClient, path: str, member: Member | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {member.token}"} if member else {}
    return await client.get(path, headers=headers)


def code(response: httpx.Response) -> str:
    return response.json()["errors"][0]["extensions"]["code"]


async def test_the_owner_downloads_the_file_once(
    app: Any, client: httpx.AsyncClient, app_database: Database, world: World
) -> None:
    file_id = await stored(app_database, world.editor, CONTENT)
    path = url(app, file_id)

    first = await get(client, path, world.editor)
    second = await get(client, path, world.editor)

    assert first.status_code == 200 and first.content == CONTENT
    assert first.headers["content-type"] == "application/zip"
    assert first.headers["content-disposition"] == "attachment; filename*=UTF-8''upload.zip"
    assert (second.status_code, code(second)) == (410, "GONE")


async def test_another_user_is_refused_even_an_admin(
    app: Any, client: httpx.AsyncClient, app_database: Database, world: World
) -> None:
    file_id = await stored(app_database, world.editor, CONTENT)
    path = url(app, file_id)

    refused = [await get(client, path, m) for m in (world.admin, world.viewer)]
    owner = await get(client, path, world.editor)

    assert [(r.status_code, code(r)) for r in refused] == [(404, "NOT_FOUND")] * 2
    assert owner.status_code == 200  # the refusals did not use it up


async def test_a_download_needs_the_requesters_credential(
    app: Any, client: httpx.AsyncClient, app_database: Database, world: World
) -> None:
    file_id = await stored(app_database, world.editor, CONTENT)

    response = await get(client, url(app, file_id), None)

    assert (response.status_code, code(response)) == (401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_expired_link_is_refused(
    app: Any, client: httpx.AsyncClient, app_database: Database, world: World
) -> None:
    file_id = await stored(app_database, world.editor, CONTENT)
    expired = signing.download_url(
        app.state.signing_key, file_id, ttl_seconds=60, now=time.time() - 120
    )

    response = await get(client, expired, world.editor)

    assert (response.status_code, code(response)) == (410, "GONE")


async def test_an_expired_file_is_gone_even_with_a_fresh_link(
    app: Any, client: httpx.AsyncClient, database: Database, app_database: Database, world: World
) -> None:
    file_id = await stored(app_database, world.editor, CONTENT)
    async with database.transaction() as session:
        await session.execute(
            update(JobFile).where(JobFile.id == file_id).values(expires_at=JobFile.created_at)
        )

    response = await get(client, url(app, file_id), world.editor)

    assert (response.status_code, code(response)) == (410, "GONE")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda path: path.replace("signature=", "signature=0"),
        lambda path: path.replace("expires=", "expires=9"),
        lambda path: path.split("?")[0],
    ],
    ids=["signature", "expiry", "unsigned"],
)
async def test_a_link_not_signed_by_the_server_is_refused(
    app: Any, client: httpx.AsyncClient, app_database: Database, world: World, tamper: Any
) -> None:
    file_id = await stored(app_database, world.editor, CONTENT)

    response = await get(client, tamper(url(app, file_id)), world.editor)

    assert (response.status_code, code(response)) == (403, "FORBIDDEN")


async def test_a_link_signed_for_another_file_is_refused(
    app: Any, client: httpx.AsyncClient, app_database: Database, world: World
) -> None:
    mine = await stored(app_database, world.editor, CONTENT)
    signed_for_other = url(app, uuid.uuid4()).split("?")[1]

    response = await get(client, f"/files/{mine}?{signed_for_other}", world.editor)

    assert (response.status_code, code(response)) == (403, "FORBIDDEN")


async def test_concurrent_downloads_hand_the_file_out_exactly_once(
    app: Any, client: httpx.AsyncClient, app_database: Database, world: World
) -> None:
    for _ in range(20):
        file_id = await stored(app_database, world.editor, CONTENT)
        path = url(app, file_id)

        responses = await asyncio.gather(*(get(client, path, world.editor) for _ in range(4)))

        assert sorted(r.status_code for r in responses) == [200, 410, 410, 410]


def test_production_refuses_to_start_without_a_signing_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KHUB_ENV", "production")
    monkeypatch.delenv("KHUB_SIGNING_KEY", raising=False)

    with pytest.raises(ValueError, match="KHUB_SIGNING_KEY must be set in production"):
        ServerSettings.from_env()
    monkeypatch.setenv("KHUB_SIGNING_KEY", "short")
    with pytest.raises(ValueError, match="at least 32 characters"):
        ServerSettings.from_env()
    monkeypatch.setenv("KHUB_SIGNING_KEY", "k" * 40)
    assert ServerSettings.from_env().signing_key == "k" * 40


def test_development_signs_with_a_key_made_for_the_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    signing._process_key.cache_clear()

    with caplog.at_level("WARNING", logger="graph.files.signing"):
        first, second = signing.key_bytes(None), signing.key_bytes(None)

    assert first == second and len(first) >= signing.MIN_KEY_LENGTH
    assert "KHUB_SIGNING_KEY is not set" in caplog.text
