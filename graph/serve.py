"""`khub serve`: uvicorn over the app factory, with the database made ready first.

The database URL is resolved once, here: with no DATABASE_URL the embedded PostgreSQL is
started (and stopped again when this process exits), migrated, and its URL handed to the
app through DATABASE_URL, so that `--workers N` processes share one server instead of
racing to initialise its data directory. That URL is the owner's; the app derives its own
login role's URL from it (or reads KHUB_APP_DATABASE_URL) and never connects as the owner.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from socket import socket

import uvicorn
from sqlalchemy import select
from sqlalchemy.engine import make_url
from uvicorn.supervisors import Multiprocess

from graph import graphiql, metrics_dir
from graph.request_log import log_config
from graph.settings import ServerSettings
from persistence import embedded
from persistence.database import (
    Database,
    Readiness,
    check_readiness,
    resolve_app_url,
    resolve_url,
)
from persistence.migrate import upgrade
from persistence.settings import Settings
from persistence.two_factor.rotation import check_secret_keys
from persistence.user.models import Organization

APP = "graph.app:create_app"
STARTUP_FAILURE = 3  # uvicorn's exit status when the app could not start
TERMINATED = 128 + signal.SIGTERM  # the shell's status for a process ended by SIGTERM
GRACEFUL_SHUTDOWN_SECONDS = 10  # open websockets (subscriptions) are closed after this
WORKER_START_SECONDS = 60  # how long the banner waits for every worker to listen


def positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def configure_serve(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (0.0.0.0: all)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (0: any free port)")
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="server processes sharing the port (default: one per CPU in production, else 1)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="migrate and load the demo organization first if the database has no "
        "organization yet (KHUB_DEMO_PASSWORD fixes one password for its logins)",
    )
    parser.add_argument(
        "--migrate",
        action="store_true",
        help="upgrade the database (and set up the app's login role) before serving; "
        "instances started at once take turns (a PostgreSQL advisory lock)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn's log level",
    )


async def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until stopped; the embedded PostgreSQL this started is stopped on every way
    out: a normal exit, an error, SIGINT or SIGTERM (also during start-up), a failed start."""
    try:
        with sigterm_cancels_startup():
            server_settings = ServerSettings.from_env()  # refuse a malformed KHUB_ENV first
            url, readiness = await prepare_database(settings, demo=args.demo, migrate=args.migrate)
        return await serve(args, server_settings, settings, url, readiness)
    except StartupTerminated:
        return TERMINATED
    finally:
        if settings.database_url is None:
            embedded.stop(settings.data_dir)  # synchronous: nothing can cancel it halfway


async def serve(
    args: argparse.Namespace,
    server_settings: ServerSettings,
    settings: Settings,
    url: str,
    readiness: Readiness,
) -> int:
    # The app factory, in this process or in each worker, reads the URL from here.
    os.environ["DATABASE_URL"] = url
    config = uvicorn_config(args, server_settings)

    def announce(port: int) -> None:
        print(banner(args.host, port, server_settings, settings, url, readiness), flush=True)

    with metrics_dir.shared(config.workers):
        if config.workers == 1:
            server = Server(config, on_ready=announce)
            await server.serve()
            return 0 if server.started else STARTUP_FAILURE
        # The supervisor only starts, watches and stops its workers; blocking is fine.
        Supervisor(config, sockets=[config.bind_socket()], on_ready=announce).run()
        return 0


class StartupTerminated(Exception):
    """SIGTERM arrived before the server listened."""


@contextmanager
def sigterm_cancels_startup() -> Iterator[None]:
    """Until uvicorn takes over the signals, SIGTERM cancels start-up (migrations, demo
    data) as Ctrl-C does, instead of killing the process before its clean-up runs."""
    task = asyncio.current_task()
    if threading.current_thread() is not threading.main_thread() or task is None:
        yield
        return
    loop = asyncio.get_running_loop()
    terminated = False

    def terminate() -> None:
        nonlocal terminated
        terminated = True
        task.cancel()

    loop.add_signal_handler(signal.SIGTERM, terminate)
    try:
        yield
    except asyncio.CancelledError:
        if not terminated:
            raise
        task.uncancel()
        raise StartupTerminated from None
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


def default_workers(server: ServerSettings) -> int:
    """One process per CPU this process may run on in production; one in development."""
    if not server.production:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def uvicorn_config(args: argparse.Namespace, server: ServerSettings) -> uvicorn.Config:
    """uvloop and httptools in every mode (a single process runs in the CLI's uvloop)."""
    return uvicorn.Config(
        APP,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers or default_workers(server),
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_level=args.log_level,
        log_config=log_config(server.log_format, args.log_level),
        access_log=False,  # the request line (graph/request_log.py) replaces it
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


async def prepare_database(
    settings: Settings, *, demo: bool, migrate: bool = False
) -> tuple[str, Readiness]:
    """Resolve the URL, migrate the embedded database (any with --demo or --migrate), load
    the demo, and check that the app can connect as its login role."""
    url = await asyncio.to_thread(resolve_url, settings, stop_embedded_on_exit=True)
    resolved = replace(settings, database_url=url)
    db = await Database.open(resolved)
    try:
        if settings.database_url is None or demo or migrate:
            await upgrade(url, app_url=resolve_app_url(settings, url))
        if demo:
            await load_demo_if_empty(db, settings)
        readiness = await check_readiness(db.engine)
        if readiness.ready:
            await check_secret_keys(db, settings.secret_keys)
    finally:
        await db.close()
    # The app's login role, checked here so a wrong one is an error line, not a traceback.
    await (await Database.open(resolved, as_app=True)).close()
    return url, readiness


async def load_demo_if_empty(db: Database, settings: Settings) -> None:
    async with db.transaction(read_only=True) as session:
        has_organization = await session.scalar(select(Organization.id).limit(1)) is not None
    if has_organization:
        print("the database already has organizations: --demo loads nothing")
        return
    # Imported here: graph.cli imports this module to register `serve`.
    from graph.cli import DEMO_PASSWORD_ENV, seed_demo

    await seed_demo(db, settings, os.environ.get(DEMO_PASSWORD_ENV) or None)


def banner(
    host: str,
    port: int,
    server: ServerSettings,
    settings: Settings,
    url: str,
    readiness: Readiness,
) -> str:
    """What a person needs once the server listens: where GraphiQL is, which database."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    if settings.database_url is None:
        database = f"embedded PostgreSQL in {settings.data_dir} (stopped when this server exits)"
    else:
        database = make_url(url).render_as_string(hide_password=True)
    database += f"; GraphQL as `{make_url(resolve_app_url(settings, url)).username}`"
    lines = [
        "",
        f"Knowledge Hub is serving on {base}",
        f"  GraphiQL   {base}/graphql" if server.graphiql else "  GraphiQL   off (production)",
        f"  GraphQL    {base}/graphql  (POST, GET for queries, websocket subscriptions)",
        f"  health     {base}/healthz  {base}/readyz",
        f"  database   {database}",
    ]
    if not readiness.ready:
        lines.append(
            f"  warning    the database is at revision {readiness.revision or 'none'}, the code "
            f"expects {readiness.head}: run `khub migrate`"
        )
    if server.graphiql and not graphiql.assets_installed():
        lines.append(f"  note       GraphiQL loads its scripts from a CDN; {graphiql.INSTALL_HINT}")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


@contextmanager
def shutdown_on_signals(handler: Callable[[int, object], None]) -> Iterator[None]:
    """SIGINT and SIGTERM start a graceful shutdown, after which the process ends normally.

    uvicorn re-raises the signal once it has shut down, which would end the process before
    our exit handlers run: the embedded PostgreSQL would then be left running.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, handler) for sig in handled}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class Server(uvicorn.Server):
    """uvicorn's server, announcing itself once it listens and exiting cleanly on a signal."""

    def __init__(self, config: uvicorn.Config, *, on_ready: Callable[[int], None]) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            bound = [s.getsockname() for server in self.servers for s in server.sockets]
            self.on_ready(bound[0][1] if bound else self.config.port)

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        with shutdown_on_signals(self.handle_exit):
            yield


class Supervisor(Multiprocess):
    """uvicorn's worker supervisor, announcing the server once every worker is ready."""

    def __init__(
        self, config: uvicorn.Config, sockets: list[socket], *, on_ready: Callable[[int], None]
    ) -> None:
        super().__init__(config, sockets)
        self.on_ready = on_ready
        self.port = sockets[0].getsockname()[1]

    def init_processes(self) -> None:
        super().init_processes()
        if all(p.wait_until_ready(WORKER_START_SECONDS, self.should_exit) for p in self.processes):
            self.on_ready(self.port)

    def keep_subprocess_alive(self) -> None:
        """Replace dead workers, and drop their live gauges from the shared metrics."""
        before = {p.pid for p in self.processes}
        super().keep_subprocess_alive()
        for pid in before - {p.pid for p in self.processes}:
            if pid is not None:
                metrics_dir.forget(pid)
