"""Fixtures for login tests: callers at chosen client addresses, apps with other login
settings, and a second organization whose member is signed in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.user.models import Role
from tests.graph.conftest import GraphQLClient, World, organization_with

Caller = Callable[..., Any]


@asynccontextmanager
async def calling_from(app: Any, address: str) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client whose requests come from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 40_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http)


@pytest.fixture
def app_with(server_settings: ServerSettings, app_database: Database) -> Callable[..., Any]:
    """An app over the same database with some login settings changed."""

    def make(**changes: Any) -> Any:
        settings = replace(app_database.settings, **changes)
        db = replace(app_database, settings=settings)
        return create_app(replace(server_settings, database=settings), database=db)

    return make


@pytest.fixture
async def stranger(database: Database, settings: Any) -> AsyncIterator[World]:
    """Another organization with one signed-in editor."""
    members = {"editor": Role.EDITOR}
    async with organization_with(database, settings, members, name="Stranger Org") as other:
        yield other
