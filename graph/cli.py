"""`khub`, the command line: migrations, seed data, accounts and the database URL.

Every subcommand is a `Command` in COMMANDS; `serve` and `export-schema` join the list there.
Expected failures print `error: …` and exit 1 without a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TextIO

import uvloop
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from graph.export import configure_export_schema, run_export_schema
from graph.graphiql import configure_install, run_install
from graph.persisted.command import (
    InvalidDocuments,
    configure_documents,
    list_documents,
    push_documents,
)
from graph.persisted.manifest import ManifestError
from graph.serve import configure_serve, run_serve
from graph.two_factor.command import configure_rotate_secrets, run_rotate_secrets
from graph.worker import configure_worker, run_worker
from persistence import embedded
from persistence.audit.repository import AuditRepository
from persistence.database import (
    Database,
    check_readiness,
    resolve_app_url,
    resolve_url,
    scope_transaction,
)
from persistence.embedded import EmbeddedPostgresError
from persistence.errors import DomainError
from persistence.migrate import upgrade
from persistence.persisted.repository import ConflictingDocument
from persistence.roles import RoleSetupError
from persistence.scope import Scope
from persistence.seed.accounts import Login
from persistence.seed.demo import DEMO_SLUG, demo_exists, load_demo
from persistence.seed.scale import SCALE_SLUG, load_scale
from persistence.settings import Settings
from persistence.two_factor.rotation import SecretKeysError
from persistence.user.identity import create_user
from persistence.user.models import Role
from persistence.user.repository import OrganizationRepository, UserRepository

DEMO_PASSWORD_ENV = "KHUB_DEMO_PASSWORD"


class CommandError(Exception):
    """A failure the user can fix; printed as `error: …` with exit status 1."""


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Settings], Awaitable[int]]


# -- shared helpers ---------------------------------------------------------------------------


@asynccontextmanager
async def open_database(settings: Settings) -> AsyncIterator[Database]:
    """The database (the embedded server keeps running afterwards, for psql), closed at the end."""
    db = await Database.open(settings)
    try:
        yield db
    finally:
        await db.close()


async def require_schema(db: Database) -> None:
    """Refuse to write into a database whose tables are missing or behind the code."""
    readiness = await check_readiness(db.engine)
    if readiness.revision is None:
        raise CommandError("the database has no tables yet: run `khub migrate` first")
    if not readiness.ready:
        raise CommandError(
            f"the database is at revision {readiness.revision} but the code expects "
            f"{readiness.head}: run `khub migrate` first"
        )


def print_table(rows: Sequence[Sequence[str]], *, out: TextIO | None = None) -> None:
    """Rows as aligned columns under a rule; the first row is the header. On the
    `sys.stdout` of the moment (a default argument would keep the one at import)."""
    out = out or sys.stdout
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    out.write("".join(f"  {line.rstrip()}\n" for line in lines))


def print_logins(logins: Sequence[Login]) -> None:
    print("\nLogins (passwords are shown only this once):")
    rows = [("username", "email", "role", "password")]
    rows += [(x.username, x.email, x.role.value, x.password) for x in logins]
    print_table(rows)


def print_counts(counts: dict[str, int]) -> None:
    print_table([("rows", "count"), *((name, f"{n:,}") for name, n in counts.items())])


class ProgressBar:
    """A progress line on stderr: redrawn in place on a terminal, one line per stage otherwise."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self.stage = ""
        self.started = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.stage, self.started = stage, time.perf_counter()
        finished = done >= total
        if not (self.tty or finished):
            return
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        line = f"{stage:<32} [{bar}] {done:>9,} / {total:,}  {elapsed:5.1f}s"
        self.stream.write(("\r" if self.tty else "") + line + ("\n" if finished else ""))
        self.stream.flush()


# -- migrate ----------------------------------------------------------------------------------


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """For subcommands that take no options."""


async def run_migrate(args: argparse.Namespace, settings: Settings) -> int:
    async with open_database(settings) as db:
        before = await check_readiness(db.engine)
        app_url = resolve_app_url(settings, db.url)
        await upgrade(db.url, app_url=app_url)
    if before.revision == before.head:
        print(f"the database is already at head ({before.head})")
    else:
        print(f"migrated the database from {before.revision or 'empty'} to {before.head}")
    print(f"the server connects as `{make_url(app_url).username}`, held by row-level security")
    return 0


# -- seed -------------------------------------------------------------------------------------


def configure_seed(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--demo",
        action="store_true",
        help=f"load the demo organization `{DEMO_SLUG}` (does nothing if it exists); "
        f"{DEMO_PASSWORD_ENV} fixes one password for its three logins",
    )
    what.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help=f"add N documents, N/2 knowledge nodes and 5 edges per node to organization "
        f"`{SCALE_SLUG}`; every run adds another N",
    )


async def run_seed(args: argparse.Namespace, settings: Settings) -> int:
    password = os.environ.get(DEMO_PASSWORD_ENV) or None
    async with open_database(settings) as db:
        await require_schema(db)
        if args.demo:
            return await seed_demo(db, settings, password)
        return await seed_scale(db, settings, password, args.scale)


async def seed_demo(db: Database, settings: Settings, password: str | None) -> int:
    started = time.perf_counter()
    async with db.transaction() as session:
        if await demo_exists(session):
            print(f"the demo organization `{DEMO_SLUG}` is already loaded; nothing changed")
            return 0
        summary = await load_demo(session, settings=settings, password=password)
    elapsed = time.perf_counter() - started
    print(f"loaded organization `{DEMO_SLUG}` ({summary.organization.name}) in {elapsed:.1f}s:")
    print_counts(summary.counts)
    print_logins(summary.logins)
    return 0


async def seed_scale(db: Database, settings: Settings, password: str | None, count: int) -> int:
    if count < 1:
        raise CommandError("--scale needs a positive number of documents")
    started = time.perf_counter()
    async with db.transaction() as session:
        summary = await load_scale(
            session, documents=count, settings=settings, password=password, progress=ProgressBar()
        )
    elapsed = time.perf_counter() - started
    verb = "created" if summary.created else "added to"
    print(f"{verb} organization `{SCALE_SLUG}` (run {summary.run}) in {elapsed:.1f}s:")
    print_counts(summary.counts)
    if summary.logins:
        print_logins(summary.logins)
    print(f"running `khub seed --scale {count}` again adds another {count:,} documents")
    return 0


# -- create-user ------------------------------------------------------------------------------


def configure_create_user(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--org", required=True, metavar="SLUG", help="the organization's slug")
    parser.add_argument("--username", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--role", required=True, type=str.upper, choices=[r.value for r in Role])
    parser.add_argument("--full-name", default="", help="shown in the UI (optional)")
    parser.add_argument("--password", help="prompted for (twice) when left out")
    parser.add_argument(
        "--create-org", metavar="NAME", help="create the organization with this name if missing"
    )


def prompt_password() -> str:
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != password:
        raise CommandError("the passwords do not match")
    return password


async def run_create_user(args: argparse.Namespace, settings: Settings) -> int:
    password = args.password if args.password is not None else prompt_password()
    async with open_database(settings) as db:
        await require_schema(db)
        async with db.transaction() as session:
            orgs = OrganizationRepository(session)
            org = await orgs.by_slug(args.org)
            if org is None and args.create_org is None:
                raise CommandError(
                    f"organization `{args.org}` does not exist "
                    "(pass --create-org NAME to create it)"
                )
            if org is None:
                org = await orgs.create(slug=args.org, name=args.create_org)
                print(f"created organization `{org.slug}` ({org.name})")
            await scope_transaction(
                session, organization_id=org.id, statement_timeout_ms=settings.statement_timeout_ms
            )
            scope = Scope.system(org.id)
            user = await create_user(
                UserRepository(session, scope),
                username=args.username,
                email=args.email,
                password=password,
                full_name=args.full_name,
                roles=[Role(args.role)],
                settings=settings,
            )
            await AuditRepository(session, scope).record(
                action="user.create",
                entity_type="user",
                entity_id=user.id,
                changes={"username": user.username, "email": user.email, "role": args.role},
            )
    print(f"created user `{user.username}` ({args.role}) in organization `{org.slug}`")
    return 0


# -- db-url -----------------------------------------------------------------------------------


async def run_db_url(args: argparse.Namespace, settings: Settings) -> int:
    print(await asyncio.to_thread(resolve_url, settings))
    return 0


async def run_db_stop(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database_url:
        raise CommandError("DATABASE_URL is set: there is no embedded server to stop")
    stopped = await asyncio.to_thread(embedded.stop_server, settings.data_dir)
    print(
        f"stopped the embedded server in {settings.data_dir}" if stopped else "it was not running"
    )
    return 0


# -- documents --------------------------------------------------------------------------------


async def run_documents(args: argparse.Namespace, settings: Settings) -> int:
    async with open_database(settings) as db:
        await require_schema(db)
        async with db.transaction() as session:
            try:
                if args.action == "push":
                    print(await push_documents(session, args.file))
                    return 0
                rows = await list_documents(session)
            except (ManifestError, InvalidDocuments, ConflictingDocument) as exc:
                raise CommandError(str(exc)) from None
    if len(rows) == 1:
        print("no persisted documents")
    else:
        print_table(rows)
    return 0


# -- entry point ------------------------------------------------------------------------------

COMMANDS: list[Command] = [
    Command("migrate", "upgrade the database to the latest revision", no_arguments, run_migrate),
    Command("seed", "load demo data or benchmark volumes", configure_seed, run_seed),
    Command("create-user", "add a user to an organization", configure_create_user, run_create_user),
    Command("db-url", 'print the URL in use: psql "$(khub db-url)"', no_arguments, run_db_url),
    Command("db-stop", "stop the embedded PostgreSQL left running", no_arguments, run_db_stop),
    Command("serve", "serve /graphql, GraphiQL and the health checks", configure_serve, run_serve),
    Command("worker", "run processing jobs until stopped", configure_worker, run_worker),
    Command(
        "export-schema",
        "print the schema as SDL (schema.graphql)",
        configure_export_schema,
        run_export_schema,
    ),
    Command(
        "documents",
        "push a client's persisted-documents manifest (trusted documents), or list them",
        configure_documents,
        run_documents,
    ),
    Command(
        "rotate-secrets",
        "re-seal every two-factor secret under the first of KHUB_SECRET_KEYS",
        configure_rotate_secrets,
        run_rotate_secrets,
    ),
    Command(
        "install-graphiql",
        "install GraphiQL's assets so it works offline (needs npm)",
        configure_install,
        run_install,
    ),
]


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="khub",
        description="Knowledge Hub. With no DATABASE_URL, an embedded PostgreSQL is started "
        "in KHUB_DATA_DIR and left running.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.help)
        command.configure(sub)
        sub.set_defaults(run=command.run)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # a malformed KHUB_* variable
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        if args.command == "serve":  # a single server process runs in this loop
            return uvloop.run(args.run(args, settings))
        return asyncio.run(args.run(args, settings))
    except (CommandError, EmbeddedPostgresError, RoleSetupError, SecretKeysError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
    except (OperationalError, OSError) as exc:
        print(f"error: the database is not reachable: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 1
