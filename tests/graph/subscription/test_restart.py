"""Subscriptions survive a database restart: idle ones keep waiting while PostgreSQL is
down, the feed listens again once it is back, and subscribers are told they missed events.

The suite's embedded server is shared, so this starts one of its own (as test_outage does)."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence import embedded
from persistence.database import Database, create_engine, session_factory
from persistence.migrate import upgrade
from persistence.settings import Settings
from persistence.user.models import Role
from persistence.user.repository import OrganizationRepository
from tests.fixtures.websocket import Socket
from tests.graph.conftest import GraphQLClient, signed_in
from tests.graph.subscription.conftest import listening
from tests.graph.subscription.test_document_changed import DOCUMENT_CHANGED, create


@dataclass
class Restartable:
    data_dir: Path
    app: Any
    token: str


@pytest.fixture
async def restartable(
    settings: Settings, server_settings: ServerSettings
) -> AsyncIterator[Restartable]:
    workdir = Path(tempfile.mkdtemp(prefix="khub-restart-"))
    data_dir = workdir / "pgdata"
    url = await asyncio.to_thread(embedded.start, data_dir, stop_on_exit=True)
    settings = replace(settings, database_url=url, connect_retries=0)
    engine = create_engine(url, settings)
    db = Database(url=url, engine=engine, sessions=session_factory(engine), settings=settings)
    app = None
    try:
        await upgrade(url)
        async with db.transaction() as session:
            org = await OrganizationRepository(session).create(slug="restart", name="Restart")
            token = (await signed_in(session, org, "editor", Role.EDITOR, settings)).token
        quick = replace(server_settings, database=settings, subscription_recheck_seconds=0.2)
        app = create_app(quick, database=db)
        yield Restartable(data_dir, app, token)
    finally:
        if app is not None:
            await app.state.changes.close()
        await engine.dispose()
        await asyncio.to_thread(embedded.stop, data_dir)
        shutil.rmtree(workdir, ignore_errors=True)


async def test_an_idle_subscription_survives_a_database_restart_and_hears_of_it(
    restartable: Restartable,
) -> None:
    app, token = restartable.app, restartable.token
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        Socket(app) as socket,
    ):
        await socket.init({"token": token})
        await socket.subscribe("1", DOCUMENT_CHANGED)
        await listening(app)

        await asyncio.to_thread(embedded.stop, restartable.data_dir)
        await asyncio.sleep(1)  # several credential checks find no database
        await asyncio.to_thread(embedded.start, restartable.data_dir, stop_on_exit=True)

        missed = (await socket.receive(within=15))["payload"]["data"]["documentChanged"]
        created = await create(GraphQLClient(http), token, title="After the restart")
        change = (await socket.receive())["payload"]["data"]["documentChanged"]
    assert missed["kind"] == "MISSED_EVENTS"
    assert change["document"]["id"] == created["id"]
