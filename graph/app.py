"""The Starlette application: `/graphql`, health and readiness, request ids, lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from graph import graphiql, request_record, tracing
from graph.body_limit import BodyLimitMiddleware
from graph.compiler import express
from graph.cors import JsonCORSMiddleware
from graph.files import download, signing
from graph.metrics import Metrics, metrics_endpoint
from graph.observe import Observe
from graph.retrieval.recorder import RetrievalRecorder
from graph.schema import build_schema
from graph.settings import ServerSettings
from graph.subscription.feed import ChangeFeed
from graph.view import GraphQLView
from persistence.database import Database, check_readiness, resolve_app_url
from persistence.migrate import upgrade
from persistence.settings import Settings

log = logging.getLogger("khub")


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: the database answers and its schema is at the migrations' head."""
    readiness = await check_readiness(request.app.state.db.engine)
    body = {
        "status": "ready" if readiness.ready else "not ready",
        "database": "reachable" if readiness.reachable else "unreachable",
        "revision": readiness.revision,
        "head": readiness.head,
    }
    return JSONResponse(body, status_code=200 if readiness.ready else 503)


async def migrate_as_owner(settings: Settings) -> None:
    """Migrate (and set up the app's login role) as the owner, whose connection ends here:
    the server itself only ever connects as the app's role."""
    owner = await Database.open(settings, stop_embedded_on_exit=True)
    try:
        await upgrade(owner.url, app_url=resolve_app_url(settings, owner.url))
    finally:
        await owner.close()


def create_app(
    settings: ServerSettings | None = None,
    *,
    database: Database | None = None,
    migrate: bool = False,
) -> Starlette:
    """The ASGI app. Without `database`, the lifespan opens one as the app's login role
    (starting the embedded PostgreSQL when no DATABASE_URL is set, and then applying the
    migrations as the owner first)."""
    settings = settings or ServerSettings.from_env()
    if settings.tracing:
        tracing.setup()
    view = GraphQLView(build_schema(settings), settings)
    signing_key = signing.key_bytes(settings.signing_key)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if database is not None:
            yield
            await app.state.changes.close()
            await app.state.retrieval.close()
            return
        if migrate or settings.database.database_url is None:
            await migrate_as_owner(settings.database)
        db = await Database.open(settings.database, stop_embedded_on_exit=True, as_app=True)
        app.state.db = db
        observe_engine(db)
        # Everything made so far lives as long as the process: keep it out of the garbage
        # collector's full passes, which otherwise stall requests for ~100 ms (bench/).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await app.state.changes.close()
            await app.state.retrieval.close()
            await db.close()

    app = Starlette(
        routes=[
            Route("/graphql", view),  # the view answers other methods with 405 in JSON
            WebSocketRoute("/graphql", view),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route(
                "/metrics",
                metrics_endpoint(token=settings.metrics_token, production=settings.production),
            ),
            *graphiql.routes(settings.graphiql),
            *download.routes(settings, signing_key),
        ],
        lifespan=lifespan,
    )
    app.state.metrics = Metrics()
    app.state.signing_key = signing_key  # signs download URLs (graph/files/signing.py)
    app.state.changes = ChangeFeed(
        lambda: app.state.db.listen_url(), queue_size=settings.subscription_queue_size
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.state.retrieval = RetrievalRecorder(
        lambda: app.state.db, settings.retrieval, app.state.metrics.retrieval_dropped
    )
    # Outside the body limit, so a browser can read a 413 (and every other answer) too;
    # inside Observe, so preflights are logged and counted like any request.
    app.add_middleware(JsonCORSMiddleware, **settings.cors.options())
    if view.compiled is not None and express.applies(settings):
        app.add_middleware(express.ExpressLane, compiled=view.compiled, settings=settings)
    app.add_middleware(Observe, metrics=app.state.metrics)
    if database is not None:
        app.state.db = database
        observe_engine(database)
    return app


def observe_engine(db: Database) -> None:
    """Count each request's statements, and trace them when tracing is on."""
    for engine in (db.engine, db.replica.engine) if db.replica else (db.engine,):
        request_record.count_statements(engine)
        tracing.instrument(engine)
