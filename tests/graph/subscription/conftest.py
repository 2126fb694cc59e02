"""Subscription fixtures: an app of the test's own (its change feed stops with the test)
and a way to wait until a subscription listens."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database


@pytest.fixture
def subscription_settings(server_settings: ServerSettings) -> ServerSettings:
    return replace(server_settings, subscription_recheck_seconds=30.0)


@pytest.fixture
async def app(subscription_settings: ServerSettings, app_database: Database) -> AsyncIterator[Any]:
    app = create_app(subscription_settings, database=app_database)
    yield app
    await app.state.changes.close()


async def listening(app: Any, subscribers: int = 1) -> None:
    """Until `subscribers` subscriptions of `app` are registered and its feed listens."""
    feed = app.state.changes
    for _ in range(500):
        if feed.subscriber_count >= subscribers and feed.listening:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{feed.subscriber_count} subscriptions listen, not {subscribers}")
