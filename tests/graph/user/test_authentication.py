"""Bearer tokens resolve in one statement, on both paths, with every refusal kept."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from strawberry.relay import to_base64

from persistence.database import Database
from persistence.scope import Scope
from persistence.user.credentials import ApiKeyRepository
from persistence.user.models import ApiKey, User, UserSession
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import World

COMPILED = "{ viewer { username roles } documents(first: 1) { totalCount } }"
# similarNodes does not compile (docs/decisions.md, "Compiled read path")
NO_NODE = to_base64("KnowledgeNode", uuid.UUID(int=1))
REFERENCE = f'{{ viewer {{ username }} similarNodes(to: "{NO_NODE}") {{ distance }} }}'
WRITE = 'mutation { documentCreate(input: {title: "x"}) { __typename } }'
DATA = "/* khub:compiled */"


async def _issue(
    database: Database, world: World, *, scopes: tuple[str, ...] = ("read", "write"), **kw: Any
) -> tuple[str, uuid.UUID]:
    async with database.transaction() as session:
        keys = ApiKeyRepository(session, Scope.system(world.organization.id))
        secret, row = await keys.issue(world.editor.user.id, name="ci", scopes=scopes, **kw)
    return secret, row.id


async def _last_used(database: Database, key_id: uuid.UUID) -> datetime | None:
    async with database.transaction() as session:
        return await session.scalar(select(ApiKey.last_used_at).where(ApiKey.id == key_id))


async def _set_last_used(database: Database, key_id: uuid.UUID, value: datetime | None) -> None:
    async with database.transaction() as session:
        await session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=value))


async def _post(client: httpx.AsyncClient, query: str, token: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _refused(body: dict[str, Any]) -> bool:
    """Anonymous: no viewer, and what needs a caller is UNAUTHENTICATED."""
    (error,) = body["errors"]
    return body["data"] is None or (
        body["data"]["viewer"] is None and error["extensions"]["code"] == "UNAUTHENTICATED"
    )


@pytest.mark.parametrize("query", [COMPILED, REFERENCE])
async def test_a_session_and_an_api_key_authenticate_on_both_paths(
    client: httpx.AsyncClient, world: World, database: Database, query: str
) -> None:
    secret, _ = await _issue(database, world)

    for token in (world.editor.token, secret):
        body = await _post(client, query, token)
        assert body["data"]["viewer"]["username"] == "editor", body


@pytest.mark.parametrize("query", [COMPILED, REFERENCE])
async def test_expired_and_revoked_credentials_are_refused(
    client: httpx.AsyncClient, world: World, database: Database, query: str
) -> None:
    expired_key, _ = await _issue(database, world, expires_at=datetime.now(UTC) + timedelta(0, 1))
    revoked_key, revoked_id = await _issue(database, world)
    async with database.transaction() as session:
        now = datetime.now(UTC)
        await session.execute(
            update(ApiKey)
            .where(ApiKey.id.in_([revoked_id]))
            .values(revoked_at=now, expires_at=None)
        )
        await session.execute(
            update(ApiKey)
            .where(ApiKey.organization_id == world.organization.id, ApiKey.id != revoked_id)
            .values(expires_at=now - timedelta(seconds=1))
        )
        await session.execute(
            update(UserSession)
            .where(UserSession.user_id == world.editor.user.id)
            .values(expires_at=now - timedelta(seconds=1))
        )
        await session.execute(
            update(UserSession)
            .where(UserSession.user_id == world.viewer.user.id)
            .values(revoked_at=now)
        )

    for token in (expired_key, revoked_key, world.editor.token, world.viewer.token):
        assert _refused(await _post(client, query, token))


@pytest.mark.parametrize("query", [COMPILED, REFERENCE])
async def test_credentials_of_an_inactive_or_deleted_account_are_refused(
    client: httpx.AsyncClient, world: World, database: Database, query: str
) -> None:
    secret, _ = await _issue(database, world)
    async with database.transaction() as session:
        await session.execute(
            update(User).where(User.id == world.editor.user.id).values(is_active=False)
        )
        await session.execute(
            update(User).where(User.id == world.viewer.user.id).values(deleted_at=datetime.now(UTC))
        )

    for token in (secret, world.editor.token, world.viewer.token):
        assert _refused(await _post(client, query, token))


async def test_a_token_moved_to_another_organization_is_unknown(
    client: httpx.AsyncClient, world: World
) -> None:
    kind, _, rest = world.editor.token.split("_", 2)
    moved = f"{kind}_{uuid.uuid4().hex}_{rest}"

    body = await _post(client, COMPILED, moved)

    assert _refused(body)


async def test_a_read_only_api_key_reads_and_cannot_write(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    secret, _ = await _issue(database, world, scopes=("read",))

    assert (await _post(client, COMPILED, secret))["data"]["viewer"]["username"] == "editor"
    body = await _post(client, WRITE, secret)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_compiled_query_is_one_statement_to_authenticate_and_one_for_its_data(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    statements: StatementCounter,
) -> None:
    secret, key_id = await _issue(database, world)
    await _set_last_used(database, key_id, datetime.now(UTC))

    for token in (world.editor.token, secret):
        statements.reset()
        await _post(client, COMPILED, token)
        authentication, data = statements.statements
        assert "khub_authenticate" in authentication
        assert DATA in data


async def test_queries_stamp_an_api_key_at_most_once_a_minute(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    statements: StatementCounter,
) -> None:
    secret, key_id = await _issue(database, world)

    for query in (COMPILED, REFERENCE):
        await _set_last_used(database, key_id, None)
        await _post(client, query, secret)
        stamped = await _last_used(database, key_id)
        assert stamped is not None

        statements.reset()
        await _post(client, query, secret)
        assert await _last_used(database, key_id) == stamped  # within the minute: not again
        assert sum("khub_authenticate" in s for s in statements.statements) == 1

        await _set_last_used(database, key_id, datetime.now(UTC) - timedelta(minutes=2))
        await _post(client, query, secret)
        later = await _last_used(database, key_id)
        assert later is not None and later > datetime.now(UTC) - timedelta(minutes=1)


async def test_a_mutation_stamps_an_api_key_in_its_one_authentication_statement(
    client: httpx.AsyncClient,
    world: World,
    database: Database,
    statements: StatementCounter,
) -> None:
    secret, key_id = await _issue(database, world)

    statements.reset()
    body = await _post(client, WRITE, secret)

    assert body["data"]["documentCreate"]["__typename"] == "DocumentCreateSuccess"
    assert await _last_used(database, key_id) is not None
    assert sum("khub_authenticate" in s for s in statements.statements) == 1
