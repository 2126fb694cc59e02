"""API test fixtures: the real app over ASGI, and an organization with one user per role.

The app opens its own connection per operation, exactly as in production; data is
committed for real, and each test gets a fresh organization that is deleted afterwards.
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from graph.app import create_app
from graph.request_log import JsonFormatter
from graph.settings import ServerSettings
from persistence.database import Database, session_factory
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.credentials import SessionRepository
from persistence.user.identity import create_user
from persistence.user.models import Organization, Role, User
from persistence.user.repository import OrganizationRepository, UserRepository

PASSWORD = "correct horse battery"


@dataclass
class Member:
    user: User
    token: str

    @property
    def global_id(self) -> str:
        from strawberry.relay import to_base64

        return to_base64("User", self.user.id)


@dataclass
class World:
    """A committed organization with an admin, an editor and a viewer, each logged in."""

    organization: Organization
    members: dict[str, Member] = field(default_factory=dict)

    @property
    def admin(self) -> Member:
        return self.members["admin"]

    @property
    def editor(self) -> Member:
        return self.members["editor"]

    @property
    def viewer(self) -> Member:
        return self.members["viewer"]


@pytest.fixture(scope="session")
def server_settings(settings: Settings) -> ServerSettings:
    return ServerSettings(database=settings)


@pytest.fixture(scope="session")
async def database(database_url: str, engine: AsyncEngine, settings: Settings) -> Database:
    """The owner's Database, for setting up data as the CLI's seeding does."""
    return Database(
        url=database_url, engine=engine, sessions=session_factory(engine), settings=settings
    )


@pytest.fixture(scope="session")
async def app_database(
    app_database_url: str, direct_app_url: str, app_engine: AsyncEngine, settings: Settings
) -> Database:
    """The app's Database, as its login role, which row-level security holds; its change
    feed LISTENs directly, as KHUB_DATABASE_LISTEN_URL has it behind PgBouncer."""
    return Database(
        url=app_database_url,
        engine=app_engine,
        sessions=session_factory(app_engine),
        settings=replace(settings, listen_url=direct_app_url),
    )


@pytest.fixture(scope="session")
def app(server_settings: ServerSettings, app_database: Database) -> Any:
    return create_app(server_settings, database=app_database)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def signed_in(
    session: AsyncSession, organization: Organization, username: str, role: Role, settings: Settings
) -> Member:
    """A new user of `organization` with one role and a live session."""
    scope = Scope.system(organization.id)
    user = await create_user(
        UserRepository(session, scope),
        username=username,
        email=f"{username}@example.com",
        password=PASSWORD,
        full_name=username.title(),
        roles=[role],
        settings=settings,
    )
    token, _ = await SessionRepository(session, scope).open(user.id, ttl=timedelta(hours=1))
    return Member(user=user, token=token)


@asynccontextmanager
async def organization_with(
    database: Database, settings: Settings, members: Mapping[str, Role], *, name: str
) -> AsyncIterator[World]:
    """A committed organization with one signed-in member per username, deleted afterwards."""
    async with database.transaction() as session:
        org = await OrganizationRepository(session).create(
            slug=f"t-{uuid.uuid4().hex[:12]}", name=name
        )
        world = World(organization=org)
        for username, role in members.items():
            world.members[username] = await signed_in(session, org, username, role, settings)
    try:
        yield world
    finally:
        async with database.transaction() as session:
            await session.execute(delete(Organization).where(Organization.id == org.id))


@pytest.fixture
async def world(database: Database, settings: Settings) -> AsyncIterator[World]:
    members = {"admin": Role.ADMIN, "editor": Role.EDITOR, "viewer": Role.VIEWER}
    async with organization_with(database, settings, members, name="Test Org") as world:
        yield world


class GraphQLClient:
    """Posts operations to /graphql the way a frontend does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    """Everything the process logs, at every level, as the JSON lines production writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def request_lines(output: io.StringIO) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in output.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == "khub.request"]
