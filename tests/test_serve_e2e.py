"""`khub serve --demo` as a real process over real HTTP, from an empty database to Ctrl-C.

Without DATABASE_URL the server starts its own embedded PostgreSQL in a fresh data
directory, and must stop it again on exit; with DATABASE_URL it gets a fresh database on
that server and a login role of its own (KHUB_APP_DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from graph import graphiql
from persistence import embedded
from persistence.migrate import head_revision
from tests.fixtures.databases import (
    app_url,
    create_database,
    drop_database,
    drop_role,
    throwaway_login,
)

PASSWORD = "e2e demo password"
KHUB = [sys.executable, "-c", "import sys; from graph.cli import main; sys.exit(main())"]
START_SECONDS = 60
STOP_SECONDS = 20

LOGIN = """
mutation ($password: String!) {
  login(input: {login: "editor", password: $password, organization: "demo"}) {
    __typename
    ... on LoginSuccess { token }
  }
}
"""
DOCUMENTS = """
{
  documents(first: 5) {
    totalCount
    edges { node { title owner { username } tags { name } } }
  }
}
"""
DOCUMENT_CREATE = 'mutation { documentCreate(input: {title: "By GET"}) { __typename } }'


@dataclass
class Served:
    """A running `khub serve` and what it printed so far."""

    process: asyncio.subprocess.Process
    base_url: str
    data_dir: Path | None
    output: list[str] = field(default_factory=list)

    @property
    def printed(self) -> str:
        return "".join(self.output)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postmaster_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


async def has_exited(pid: int, within: float = 5.0) -> bool:
    """Whether process `pid` is gone (it may take a moment after its pid file went away)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        await asyncio.sleep(0.1)
    return False


@pytest.fixture
async def environment() -> AsyncIterator[tuple[dict[str, str], Path | None]]:
    """The server's environment: a fresh embedded data directory, or a fresh database."""
    env = {**os.environ, "KHUB_DEMO_PASSWORD": PASSWORD, "KHUB_BCRYPT_ROUNDS": "4"}
    env["PYTHONUNBUFFERED"] = "1"
    server_url = os.environ.get("DATABASE_URL")
    if server_url:
        url = await create_database(server_url, f"khub_e2e_{uuid.uuid4().hex[:12]}")
        login = throwaway_login()  # `serve --demo` migrates, which creates it
        yield {**env, "DATABASE_URL": url, "KHUB_APP_DATABASE_URL": app_url(url, login)}, None
        await drop_database(server_url, url)
        await drop_role(server_url, login.name)
        return
    workdir = Path(tempfile.mkdtemp(prefix="khub-e2e-"))
    data_dir = workdir / "pgdata"
    env.pop("DATABASE_URL", None)
    yield {**env, "KHUB_DATA_DIR": str(data_dir)}, data_dir
    if postmaster_pid(data_dir) is not None:  # the server was killed before it could stop it
        await asyncio.to_thread(embedded.start, data_dir, stop_on_exit=True)
        await asyncio.to_thread(embedded.stop, data_dir)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
async def served(environment: tuple[dict[str, str], Path | None]) -> AsyncIterator[Served]:
    env, data_dir = environment
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *KHUB,
        "serve",
        "--port",
        str(port),
        "--demo",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    served = Served(process, f"http://127.0.0.1:{port}", data_dir)

    async def collect() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            served.output.append(line.decode(errors="replace"))

    reader = asyncio.create_task(collect())
    try:
        await wait_until_healthy(served)
        yield served
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await reader


async def wait_until_healthy(served: Served) -> None:
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient(base_url=served.base_url, timeout=2) as http:
        while time.monotonic() < deadline:
            if served.process.returncode is not None:
                pytest.fail(f"khub serve exited early:\n{served.printed}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    pytest.fail(f"khub serve did not answer /healthz in {START_SECONDS}s:\n{served.printed}")


async def graphql(
    http: httpx.AsyncClient, query: str, variables: dict[str, str] | None = None, token: str = ""
) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_serve_demo_answers_over_http_and_stops_cleanly(served: Served) -> None:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        ready = await http.get("/readyz")
        login = await graphql(http, LOGIN, {"password": PASSWORD})
        token = login["data"]["login"]["token"]
        documents = await graphql(http, DOCUMENTS, token=token)
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        by_get = await http.get(
            "/graphql",
            params={"query": DOCUMENT_CREATE},
            headers={"Authorization": f"Bearer {token}"},
        )
        after = await graphql(http, DOCUMENTS, token=token)

    assert ready.status_code == 200, (ready.text, served.printed)
    assert ready.json()["revision"] == head_revision()
    assert f"GraphiQL   {served.base_url}/graphql" in served.printed
    assert "Logins (passwords are shown only this once)" in served.printed
    assert login["data"]["login"]["__typename"] == "LoginSuccess"
    connection = documents["data"]["documents"]
    assert len(connection["edges"]) == 5
    for edge in connection["edges"]:
        node = edge["node"]
        assert node["title"]
        assert node["owner"]["username"] in {"admin", "editor", "viewer"}
        assert all(tag["name"] for tag in node["tags"])
    assert any(edge["node"]["tags"] for edge in connection["edges"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    local = 'src="graphiql-assets/graphiql.min.js"' in page.text
    assert local == graphiql.assets_installed()
    assert by_get.status_code in (400, 405)
    assert after["data"]["documents"]["totalCount"] == connection["totalCount"]

    postmaster = postmaster_pid(served.data_dir) if served.data_dir else None
    served.process.send_signal(signal.SIGINT)  # Ctrl-C
    status = await asyncio.wait_for(served.process.wait(), STOP_SECONDS)

    assert status == 0, served.printed
    if served.data_dir is not None:
        assert postmaster is not None
        assert postmaster_pid(served.data_dir) is None, "the embedded PostgreSQL still runs"
        assert await has_exited(postmaster), "the embedded PostgreSQL still runs"


async def restart_externally(env: dict[str, str]) -> None:
    """Restart the embedded server from another shell: `khub db-stop`, then `khub db-url`
    (which leaves the new server running). The postmaster gets a new pid."""
    for command in ("db-stop", "db-url"):
        process = await asyncio.create_subprocess_exec(
            *KHUB, command, env=env, stdout=asyncio.subprocess.PIPE
        )
        await asyncio.wait_for(process.communicate(), START_SECONDS)
        assert process.returncode == 0, command


async def handle_taken(data_dir: Path, pid: int) -> None:
    """Wait until process `pid` holds its handle on the embedded server (it has started it)."""
    handles = data_dir / ".handle_pids.json"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if handles.exists() and pid in json.loads(handles.read_text() or "[]"):
            return
        await asyncio.sleep(0.02)
    pytest.fail("khub serve never started its embedded server")


async def test_serve_stops_its_embedded_server_after_an_external_restart(
    served: Served, environment: tuple[dict[str, str], Path | None]
) -> None:
    if served.data_dir is None:
        pytest.skip("DATABASE_URL is set: there is no embedded server")
    started = postmaster_pid(served.data_dir)
    await restart_externally(environment[0])
    restarted = postmaster_pid(served.data_dir)
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as http:
        ready = await http.get("/readyz")

    served.process.send_signal(signal.SIGTERM)
    status = await asyncio.wait_for(served.process.wait(), STOP_SECONDS)

    assert restarted is not None and restarted != started
    assert ready.status_code == 200, ready.text
    assert status == 0, served.printed
    assert postmaster_pid(served.data_dir) is None, "the restarted PostgreSQL still runs"
    assert await has_exited(restarted), "the restarted PostgreSQL still runs"


async def test_serve_stops_its_embedded_server_when_it_cannot_listen(
    environment: tuple[dict[str, str], Path | None],
) -> None:
    env, data_dir = environment
    if data_dir is None:
        pytest.skip("DATABASE_URL is set: there is no embedded server")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = await asyncio.create_subprocess_exec(
            *KHUB,
            "serve",
            "--port",
            str(taken.getsockname()[1]),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), START_SECONDS)

    assert process.returncode != 0, output.decode(errors="replace")
    assert (data_dir / "PG_VERSION").exists(), "the embedded server never started"
    assert postmaster_pid(data_dir) is None, "the embedded PostgreSQL still runs"


async def test_sigterm_during_start_up_stops_the_embedded_server(
    environment: tuple[dict[str, str], Path | None],
) -> None:
    env, data_dir = environment
    if data_dir is None:
        pytest.skip("DATABASE_URL is set: there is no embedded server")
    process = await asyncio.create_subprocess_exec(
        *KHUB,
        "serve",
        "--port",
        str(free_port()),
        "--demo",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    await handle_taken(data_dir, process.pid)  # now migrating and loading the demo

    process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), STOP_SECONDS)

    assert "Knowledge Hub is serving" not in output.decode(errors="replace")
    assert process.returncode == 128 + signal.SIGTERM, output.decode(errors="replace")
    assert postmaster_pid(data_dir) is None, "the embedded PostgreSQL still runs"
