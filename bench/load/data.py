"""The load benchmark's database: seeded once, the benchmark login, and the SQL run as the app.

The data is `khub seed --scale 10000` in its own embedded PostgreSQL (default
/tmp/khub-bench-10k/pgdata), kept between runs only with --keep-data.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import dataset
from bench.load.server import khub_command, khub_env
from persistence.database import READ_ONLY_SNAPSHOT, Database, scope_transaction
from persistence.roles import APP_ROLE
from persistence.seed.scale import SCALE_SLUG
from persistence.settings import Settings

DEFAULT_DATA_DIR = Path("/tmp/khub-bench-10k/pgdata")
SCALE = 10_000
USERNAME = "bench"
# Not a secret: a benchmark login in a throwaway benchmark database.
PASSWORD = "bench-load-password"
ROLE = "VIEWER"


@dataclass(frozen=True)
class Target:
    """What the runs need from the database."""

    url: str
    organization_id: uuid.UUID
    viewer_id: uuid.UUID
    app_role: str
    counts: dict[str, int]


def settings_for(data_dir: Path) -> Settings:
    return replace(Settings.from_env(), data_dir=data_dir)


async def prepare(db: Database, data_dir: Path) -> Target:
    """Migrate and seed when the `scale` organization is missing; add the benchmark user."""
    org_id = await dataset.ensure_seeded(db, data_dir=data_dir, scale=SCALE)
    viewer_id = await _user_id(db, org_id)
    if viewer_id is None:
        _create_user(data_dir)
        viewer_id = await _user_id(db, org_id)
    if viewer_id is None:
        raise SystemExit(f"could not create the benchmark user `{USERNAME}`")
    async with db.transaction(org_id, read_only=True) as session:
        counts = {
            name: await session.scalar(text(sql), {"org": org_id})
            for name, sql in dataset.COUNTS.items()
        }
    return Target(
        url=db.url,
        organization_id=org_id,
        viewer_id=viewer_id,
        app_role=APP_ROLE,
        counts=counts,
    )


async def _user_id(db: Database, org_id: uuid.UUID) -> uuid.UUID | None:
    async with db.transaction(org_id, read_only=True) as session:
        return await session.scalar(
            text("SELECT id FROM users WHERE organization_id = :org AND username = :name"),
            {"org": org_id, "name": USERNAME},
        )


def _create_user(data_dir: Path) -> None:
    command = khub_command(
        "create-user",
        "--org",
        SCALE_SLUG,
        "--username",
        USERNAME,
        "--email",
        f"{USERNAME}@scale.example",
        "--role",
        ROLE,
        "--full-name",
        "Load Benchmark",
        "--password",
        PASSWORD,
    )
    print(f"$ khub create-user --org {SCALE_SLUG} --username {USERNAME} --role {ROLE}")
    subprocess.run(command, env=khub_env(KHUB_DATA_DIR=str(data_dir)), check=True)


async def sql_response(
    db: Database, organization_id: uuid.UUID, sql: str, parameters: dict[str, str]
) -> str:
    """The hand-written statement's JSON text, run as the app runs its queries: the
    application role under row-level security, in a read-only snapshot of the organization."""
    async with db.engine.connect() as connection:
        await connection.execution_options(**READ_ONLY_SNAPSHOT)
        async with db.sessions(bind=connection) as session, session.begin():
            await scope_transaction(
                session,
                organization_id=organization_id,
                statement_timeout_ms=db.settings.statement_timeout_ms,
            )
            await session.execute(
                text("SELECT set_config('role', :role, true)"), {"role": APP_ROLE}
            )
            return await session.scalar(text(sql), parameters)


def ordered_data(raw: str | bytes) -> Any:
    """A response body's `data`, every object as a tuple of its (key, value) pairs: two
    compare equal only with the same values AND the keys in the same order (numbers by
    value). Other members (`extensions`) are not part of the comparison."""
    return dict(json.loads(raw, object_pairs_hook=tuple)).get("data")
