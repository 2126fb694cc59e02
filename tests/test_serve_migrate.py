"""`khub serve --migrate` on an external database: every instance started at once comes up.

Each container of a deployment runs `khub serve --migrate`, and they start together against
one database. Without the migration lock two of them create the same tables and one fails.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from graph.serve import prepare_database
from persistence.migrate import head_revision
from persistence.roles import LoginRole
from persistence.settings import Settings
from tests.fixtures.databases import (
    app_url,
    create_database,
    drop_database,
    drop_role,
    throwaway_login,
)
from tests.test_serve_e2e import KHUB, START_SECONDS, STOP_SECONDS, free_port

ROUNDS = 20
INSTANCES = 2
ROUND_SECONDS = 60


@pytest.fixture(scope="module")
async def login(server_url: str) -> AsyncIterator[LoginRole | None]:
    """The app's login role: `khub_app` on the embedded server, one of our own otherwise."""
    if not os.environ.get("DATABASE_URL"):
        yield None
        return
    login = throwaway_login()
    yield login
    await drop_role(server_url, login.name)


@pytest.fixture
async def empty_url(server_url: str) -> AsyncIterator[str]:
    url = await create_database(server_url, f"khub_serve_{uuid.uuid4().hex[:12]}")
    yield url
    await drop_database(server_url, url)


async def test_instances_started_at_once_on_an_empty_database_all_come_up_at_head(
    server_url: str, settings: Settings, login: LoginRole | None
) -> None:
    for _ in range(ROUNDS):
        url = await create_database(server_url, f"khub_serve_{uuid.uuid4().hex[:12]}")
        try:
            instance = replace(settings, database_url=url, app_database_url=app_url(url, login))
            started = await asyncio.wait_for(
                asyncio.gather(
                    *(
                        prepare_database(instance, demo=False, migrate=True)
                        for _ in range(INSTANCES)
                    ),
                    return_exceptions=True,
                ),
                ROUND_SECONDS,  # unlocked upgrades may wait on each other for good
            )

            outcomes = [r if isinstance(r, BaseException) else r[1].revision for r in started]
            assert outcomes == [head_revision()] * INSTANCES
        finally:
            await drop_database(server_url, url)


async def test_serve_migrate_brings_an_empty_database_to_head_then_serves(
    empty_url: str, login: LoginRole | None
) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": empty_url,
        "KHUB_APP_DATABASE_URL": app_url(empty_url, login),
    }
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *KHUB,
        "serve",
        "--port",
        str(port),
        "--migrate",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        ready = await wait_until_ready(f"http://127.0.0.1:{port}", process)
        assert ready == {
            "status": "ready",
            "database": "reachable",
            "revision": head_revision(),
            "head": head_revision(),
        }
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), STOP_SECONDS)
    assert process.returncode == 0


async def wait_until_ready(base_url: str, process: asyncio.subprocess.Process) -> object:
    """/readyz's body once it answers 200; fails with the server's output if it never does."""
    deadline = time.monotonic() + START_SECONDS
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as http:
        while time.monotonic() < deadline and process.returncode is None:
            try:
                response = await http.get("/readyz")
                if response.status_code == 200:
                    return response.json()
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    process.kill()
    output, _ = await process.communicate()
    pytest.fail(f"khub serve --migrate never became ready:\n{output.decode(errors='replace')}")
