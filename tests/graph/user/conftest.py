"""Fixtures for login tests: callers at chosen client addresses, apps with other login
settings, and a second organization whose member is signed in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.scope import Scope
from persistence.user.credentials import SessionRepository
from persistence.user.identity import create_user
from persistence.user.models import Organization, Role
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.graph.conftest import PASSWORD, GraphQLClient, Member, World

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
    async with database.transaction() as session:
        org = await OrganizationRepository(session).create(
            slug=f"s-{uuid.uuid4().hex[:12]}", name="Stranger Org"
        )
        scope = Scope.system(org.id)
        user = await create_user(
            UserRepository(session, scope),
            username="mallory",
            email="mallory@example.com",
            password=PASSWORD,
            roles=[Role.EDITOR],
            settings=settings,
        )
        token, _ = await SessionRepository(session, scope).open(user.id, ttl=timedelta(hours=1))
    yield World(organization=org, members={"editor": Member(user=user, token=token)})
    async with database.transaction() as session:
        await session.execute(delete(Organization).where(Organization.id == org.id))
