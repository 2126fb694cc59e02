"""The secret at rest: sealed in the database, re-sealed by `khub rotate-secrets`, and the
server refuses to start when it could not open it."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import replace
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from graph.cli import main
from graph.serve import prepare_database
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.settings import Settings
from persistence.two_factor.rotation import SecretKeysError
from tests.graph.conftest import GraphQLClient, World
from tests.graph.two_factor.conftest import (
    KEY,
    LOGIN_TWO_FACTOR,
    FrozenClock,
    LoginAs,
    enrol,
    keyed_app,
)

ROW = "SELECT row_to_json(f)::text FROM user_two_factors f WHERE user_id = :user_id"


async def test_the_database_never_holds_the_secret_in_plain_text(
    gql: GraphQLClient, world: World, clock: FrozenClock, database: Database
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)

    async with database.transaction() as session:
        sealed = await session.scalar(
            text("SELECT secret_sealed FROM user_two_factors WHERE user_id = :user_id"),
            {"user_id": world.editor.user.id},
        )
        row = await session.scalar(text(ROW), {"user_id": world.editor.user.id})

    raw = base64.b32decode(enrolled.secret)
    for stored in (sealed, row):
        assert enrolled.secret not in stored
        assert enrolled.secret.lower() not in stored
        assert raw.hex() not in stored
        assert base64.b64encode(raw).decode() not in stored
        for code in enrolled.recovery_codes:
            assert code.replace("-", "") not in stored and code not in stored


async def _khub(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_rotate_secrets_reseals_so_the_old_key_can_go(
    gql: GraphQLClient,
    server_settings: ServerSettings,
    app_database: Database,
    database_url: str,
    world: World,
    clock: FrozenClock,
    challenge_for: LoginAs,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    enrolled = await enrol(gql, world.editor.token, clock)  # sealed under KEY, the old key
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("KHUB_SECRET_KEYS", f"{new_key},{KEY}")

    assert await _khub("rotate-secrets", "--batch", "1") == 0
    assert await _khub("rotate-secrets") == 0

    first, again = capsys.readouterr().out.splitlines()
    assert first.startswith("re-sealed ") and not first.startswith("re-sealed 0 ")
    assert again.startswith("re-sealed 0 of ")
    challenge = await challenge_for("editor")
    code = clock.code(enrolled.secret)
    async with _http(keyed_app(server_settings, app_database, (new_key,))) as http:
        result = await GraphQLClient(http)(
            LOGIN_TWO_FACTOR, {"input": {"challenge": challenge, "code": code}}
        )
    assert result["data"]["loginTwoFactor"]["__typename"] == "LoginSuccess"


def _http(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _serving(
    settings: Settings, database_url: str, app_database_url: str, keys: tuple[str, ...]
) -> Settings:
    return replace(
        settings, database_url=database_url, app_database_url=app_database_url, secret_keys=keys
    )


async def test_the_server_refuses_to_start_without_a_key_once_two_factor_is_in_use(
    gql: GraphQLClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    database_url: str,
    app_database_url: str,
) -> None:
    await enrol(gql, world.editor.token, clock)

    with pytest.raises(SecretKeysError) as refused:
        await prepare_database(_serving(settings, database_url, app_database_url, ()), demo=False)

    assert "two-factor secrets are stored but KHUB_SECRET_KEYS is not set" in str(refused.value)


async def test_the_server_refuses_to_start_with_keys_that_do_not_open_the_secrets(
    gql: GraphQLClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    database_url: str,
    app_database_url: str,
) -> None:
    await enrol(gql, world.editor.token, clock)
    other = Fernet.generate_key().decode()

    with pytest.raises(SecretKeysError) as refused:
        await prepare_database(
            _serving(settings, database_url, app_database_url, (other,)), demo=False
        )

    assert "KHUB_SECRET_KEYS does not open the stored two-factor secrets" in str(refused.value)


async def test_the_server_starts_with_the_key_the_secrets_were_sealed_with(
    gql: GraphQLClient,
    world: World,
    clock: FrozenClock,
    settings: Settings,
    database_url: str,
    app_database_url: str,
) -> None:
    await enrol(gql, world.editor.token, clock)

    _, readiness = await prepare_database(
        _serving(settings, database_url, app_database_url, (KEY,)), demo=False
    )

    assert readiness.ready


def test_a_malformed_key_is_refused_when_the_settings_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KHUB_SECRET_KEYS", f"{KEY},not-a-key")

    with pytest.raises(ValueError, match="KHUB_SECRET_KEYS: key 2 is not a Fernet key"):
        Settings.from_env()
