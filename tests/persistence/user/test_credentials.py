"""Session tokens and API keys: random, hashed at rest, expiring and revocable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import NotFound, ValidationError
from persistence.scope import Scope
from persistence.user import tokens
from persistence.user.credentials import ApiKeyRepository, SessionRepository
from persistence.user.models import ApiKey, User, UserSession


@pytest.fixture
def sessions(session: AsyncSession, scope: Scope) -> SessionRepository:
    return SessionRepository(session, scope)


@pytest.fixture
def api_keys(session: AsyncSession, scope: Scope) -> ApiKeyRepository:
    return ApiKeyRepository(session, scope)


async def test_a_session_token_is_stored_only_as_its_hash(
    session: AsyncSession, sessions: SessionRepository, editor: User, scope: Scope
) -> None:
    token, row = await sessions.open(editor.id, ttl=timedelta(hours=1))

    stored = (await session.scalars(select(UserSession.token_hash))).all()
    assert token not in stored and tokens.hash_secret(token) in stored
    assert tokens.parse(token) == tokens.ParsedToken("khs", scope.organization_id)
    assert (await sessions.resolve(token)).id == row.id


async def test_tokens_are_unique_and_long(sessions: SessionRepository, editor: User) -> None:
    made = {(await sessions.open(editor.id, ttl=timedelta(hours=1)))[0] for _ in range(5)}

    assert len(made) == 5
    assert all(len(t.split("_", 2)[2]) >= 43 for t in made)  # 32 random bytes


async def test_expired_and_revoked_sessions_resolve_to_nothing(
    sessions: SessionRepository, editor: User
) -> None:
    expired, _ = await sessions.open(editor.id, ttl=timedelta(seconds=-1))
    revoked, _ = await sessions.open(editor.id, ttl=timedelta(hours=1))

    assert await sessions.revoke(revoked)
    assert not await sessions.revoke(revoked)
    assert await sessions.resolve(expired) is None
    assert await sessions.resolve(revoked) is None
    assert await sessions.resolve("khs_nothing_here") is None


async def test_an_api_key_is_shown_once_and_resolves_while_valid(
    session: AsyncSession, api_keys: ApiKeyRepository, editor: User
) -> None:
    secret, key = await api_keys.issue(editor.id, name="ci", scopes=["read"])

    stored = (await session.scalars(select(ApiKey.secret_hash))).all()
    assert secret not in stored and key.prefix.startswith("khk_")
    resolved = await api_keys.resolve(secret)
    assert resolved is not None and resolved.id == key.id and resolved.last_used_at is not None
    assert resolved.scopes == ["read"]


async def test_revoked_and_expired_api_keys_do_not_resolve(
    api_keys: ApiKeyRepository, editor: User
) -> None:
    revoked, key = await api_keys.issue(editor.id, name="old", scopes=["read", "write"])
    expired, _ = await api_keys.issue(
        editor.id, name="gone", scopes=["read"], expires_at=datetime.now(UTC) - timedelta(days=1)
    )

    await api_keys.revoke(key.id)

    assert await api_keys.resolve(revoked) is None
    assert await api_keys.find(expired) is None
    with pytest.raises(NotFound):
        await api_keys.revoke(key.id)


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "delete"]])
async def test_api_key_scopes_are_read_and_write_only(
    api_keys: ApiKeyRepository, editor: User, scopes: list[str]
) -> None:
    with pytest.raises(ValidationError) as raised:
        await api_keys.issue(editor.id, name="bad", scopes=scopes)

    assert raised.value.field == "scopes"


@pytest.mark.parametrize("text", ["", "bearer", "khs_zzz_abc", "khx_" + "0" * 32 + "_abc"])
def test_foreign_tokens_do_not_parse(text: str) -> None:
    assert tokens.parse(text) is None
