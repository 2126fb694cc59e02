"""A caller seen before is answered in one statement that authenticates them again: nothing
remembered about a token ever answers for it (graph/compiler/known_callers.py)."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from persistence.database import Database
from tests.fixtures.statements import StatementCounter
from tests.graph.compiler.data import build
from tests.graph.conftest import World

MARK = "/* khub:compiled */"
DOCUMENTS = "query Titles { documents(first: 5) { totalCount edges { node { title } } } }"
AUDIT = "query Audit { auditEvents(first: 1) { totalCount } }"


async def _post(client: httpx.AsyncClient, query: str, token: str) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )


async def _owner_sql(database: Database, sql: str, **values: object) -> None:
    async with database.transaction() as session:
        await session.execute(text(sql), values)


async def test_a_known_caller_is_answered_in_one_statement(
    client: httpx.AsyncClient, world: World, database: Database, statements: StatementCounter
) -> None:
    """The same answer, read under the organization the statement confines itself to (row-
    level security would show an unconfined statement nothing)."""
    await build(world, database)
    statements.reset()
    first = await _post(client, DOCUMENTS, world.viewer.token)
    new_caller = list(statements.statements)
    statements.reset()
    again = await _post(client, DOCUMENTS, world.viewer.token)
    known_caller = list(statements.statements)

    assert first.headers["x-khub-execution"] == again.headers["x-khub-execution"] == "compiled"
    assert first.json() == again.json()
    assert again.json()["data"]["documents"]["totalCount"] > 0
    assert [("khub_authenticate" in s, MARK in s) for s in new_caller] == [
        (True, False),
        (False, True),
    ]
    assert [("khub_authenticate" in s, MARK in s) for s in known_caller] == [(True, True)]


async def test_a_revoked_session_is_refused_on_its_very_next_query(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    token = world.viewer.token
    for _ in range(2):
        assert (await _post(client, DOCUMENTS, token)).json()["data"]["documents"] is not None
    await _owner_sql(
        database,
        "UPDATE user_sessions SET revoked_at = now() WHERE user_id = :user",
        user=world.viewer.user.id,
    )

    refused = (await _post(client, DOCUMENTS, token)).json()

    assert refused.get("data") is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]


async def test_a_deactivated_account_is_refused_on_its_very_next_query(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    token = world.editor.token
    for _ in range(2):
        assert (await _post(client, DOCUMENTS, token)).json()["data"]["documents"] is not None
    await _owner_sql(
        database, "UPDATE users SET is_active = false WHERE id = :user", user=world.editor.user.id
    )

    refused = (await _post(client, DOCUMENTS, token)).json()

    assert refused.get("data") is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]


async def test_changed_roles_take_effect_on_the_very_next_query(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    token = world.admin.token
    for _ in range(2):
        allowed = await _post(client, AUDIT, token)
        assert allowed.headers["x-khub-execution"] == "compiled"
        assert allowed.json()["data"]["auditEvents"]["totalCount"] >= 0
    await _owner_sql(
        database,
        "UPDATE user_roles SET role = 'VIEWER' WHERE user_id = :user",
        user=world.admin.user.id,
    )

    refused = (await _post(client, AUDIT, token)).json()

    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert refused["data"] is None


async def test_the_app_connections_default_to_the_statement_timeout(
    app_database: Database,
) -> None:
    """A known caller's statement runs before any transaction sets the timeout: the app's
    connections carry it from the start."""
    async with app_database.engine.connect() as connection:
        setting = await connection.scalar(
            text("SELECT setting FROM pg_settings WHERE name = 'statement_timeout'")
        )

    assert setting == str(app_database.settings.statement_timeout_ms)
