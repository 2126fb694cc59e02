"""The ceiling: the least a Python HTTP server can do to answer one of the load operations.

Starlette on uvicorn (uvloop, httptools) with one asyncpg pool. POST /graphql reads the
body's `variables` and answers with the JSON text of the operation's hand-written statement
(bench/load/sql/), run as ONE prepared statement, as it comes from PostgreSQL. There is NO
authentication, no GraphQL, no transaction and no audit: a request is HTTP, a JSON parse and
one round trip. Its rate is the best any Python server could do for the same response on the
same machine, and khub's rate is set against it by `python -m bench.load`.

    PROBE_OPERATION=documents PROBE_DATABASE_URL=postgresql://… PROBE_ROLE=khub_app \\
    PROBE_ORGANIZATION=<uuid> PROBE_VIEWER=<uuid> PROBE_CONNECTIONS=16 \\
    python -m uvicorn --factory bench.load.probe:from_environment --loop uvloop --http httptools
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.load.operations import BY_NAME, positional, sql_parameters


@dataclass(frozen=True)
class ProbeSettings:
    operation: str
    database_url: str
    role: str  # the application role, so row-level security holds as for the app and pgbench
    organization: str
    viewer: str  # whose PRIVATE rows the statement shows, as the bench's login
    connections: int

    @classmethod
    def from_environment(cls) -> ProbeSettings:
        env = os.environ
        return cls(
            operation=env["PROBE_OPERATION"],
            database_url=env["PROBE_DATABASE_URL"],
            role=env["PROBE_ROLE"],
            organization=env["PROBE_ORGANIZATION"],
            viewer=env["PROBE_VIEWER"],
            connections=int(env["PROBE_CONNECTIONS"]),
        )


def create_app(settings: ProbeSettings) -> Starlette:
    operation = BY_NAME[settings.operation]
    sql, names = positional(operation.sql)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One connection per wrk connection, opened up front, as pgbench's clients are; the
        # role and organization are startup parameters, as pgbench's PGOPTIONS.
        async with asyncpg.create_pool(
            settings.database_url,
            min_size=settings.connections,
            max_size=settings.connections,
            server_settings={"role": settings.role, "app.organization_id": settings.organization},
        ) as pool:
            app.state.pool = pool
            yield

    async def graphql(request: Request) -> Response:
        variables = orjson.loads(await request.body()).get("variables") or {}
        parameters = sql_parameters(
            operation, variables, organization=settings.organization, viewer=settings.viewer
        )
        body = await request.app.state.pool.fetchval(sql, *(parameters[n] for n in names))
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])], lifespan=lifespan)


def from_environment() -> Starlette:
    """uvicorn's `--factory` entry point."""
    return create_app(ProbeSettings.from_environment())
