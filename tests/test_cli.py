"""`khub` as a real process against a fresh database: migrate, seed, create-user, db-url."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.database import async_url
from persistence.models import Base
from tests.fixtures.databases import create_database, drop_database

PASSWORD = "cli demo password"
SCRIPT = Path(sys.executable).with_name("khub")
KHUB = (
    [str(SCRIPT)]
    if SCRIPT.exists()
    else [sys.executable, "-c", "import sys; from graph.cli import main; sys.exit(main())"]
)


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
async def url(server_url: str) -> AsyncIterator[str]:
    """An empty database of its own: the CLI commits, so it must not share the test database."""
    url = await create_database(server_url, f"khub_cli_{uuid.uuid4().hex[:12]}")
    yield url
    await drop_database(server_url, url)


async def khub(url: str, *args: str) -> Ran:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KHUB_BCRYPT_ROUNDS": "4",
        "KHUB_DEMO_PASSWORD": PASSWORD,
    }
    process = await asyncio.create_subprocess_exec(
        *KHUB, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    return Ran(process.returncode or 0, stdout.decode(), stderr.decode())


async def scalar(url: str, sql: str) -> object:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.scalar(text(sql))
    finally:
        await engine.dispose()


async def row_counts(url: str) -> dict[str, int]:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as conn:
            return {
                table.name: await conn.scalar(text(f"SELECT count(*) FROM {table.name}")) or 0
                for table in Base.metadata.sorted_tables
            }
    finally:
        await engine.dispose()


async def test_seed_before_migrate_asks_for_migrate(url: str) -> None:
    ran = await khub(url, "seed", "--demo")

    assert ran.code == 1
    assert "run `khub migrate` first" in ran.stderr
    assert "Traceback" not in ran.stderr


async def test_migrate_twice_reaches_head_then_does_nothing(url: str) -> None:
    first = await khub(url, "migrate")
    second = await khub(url, "migrate")

    assert (first.code, second.code) == (0, 0)
    assert "migrated the database from empty" in first.stdout
    assert "already at head" in second.stdout


async def test_seed_demo_loads_once_and_second_run_changes_nothing(url: str) -> None:
    await khub(url, "migrate")

    first = await khub(url, "seed", "--demo")
    after_first = await row_counts(url)
    second = await khub(url, "seed", "--demo")
    after_second = await row_counts(url)

    assert first.code == 0, first.stderr
    assert second.code == 0, second.stderr
    assert "already loaded" in second.stdout
    assert after_second == after_first
    assert after_first["documents"] == 300
    assert after_first["knowledge_nodes"] == 300
    assert after_first["knowledge_edges"] == 600
    assert after_first["resources"] == 6
    assert after_first["resource_documents"] == after_first["resource_knowledge_nodes"] == 18
    for username in ("admin", "editor", "viewer"):
        assert f"{username}@demo.example" in first.stdout
    assert PASSWORD in first.stdout


async def test_seed_demo_passwords_are_bcrypt_hashes_of_the_printed_one(url: str) -> None:
    await khub(url, "migrate")
    await khub(url, "seed", "--demo")

    stored = await scalar(url, "SELECT password_hash FROM users WHERE username = 'editor'")

    assert isinstance(stored, str)
    assert bcrypt.checkpw(PASSWORD.encode(), stored.encode())


async def test_db_url_prints_the_database_url(url: str) -> None:
    ran = await khub(url, "db-url")

    assert ran.code == 0
    assert ran.stdout.strip() == url


async def test_db_stop_refuses_when_the_database_is_not_embedded(url: str) -> None:
    ran = await khub(url, "db-stop")

    assert ran.code == 1
    assert "DATABASE_URL is set" in ran.stderr


async def test_create_user_in_a_missing_organization_is_an_error(url: str) -> None:
    await khub(url, "migrate")

    ran = await khub(
        url,
        *("create-user", "--org", "nowhere", "--username", "nina"),
        *("--email", "nina@x.example", "--role", "viewer", "--password", "long enough"),
    )

    assert ran.code == 1
    assert "organization `nowhere` does not exist" in ran.stderr
    assert "Traceback" not in ran.stderr


async def test_create_user_with_create_org_then_duplicate_is_a_domain_error(url: str) -> None:
    await khub(url, "migrate")
    args = ("create-user", "--org", "acme", "--create-org", "Acme", "--username", "olga")
    args += ("--role", "editor", "--password", "long enough")

    first = await khub(url, *args, "--email", "olga@acme.example")
    second = await khub(url, *args, "--email", "olga.too@acme.example")

    assert first.code == 0, first.stderr
    assert "created user `olga` (EDITOR)" in first.stdout
    assert second.code == 1
    assert second.stderr.strip() == "error: a user with this username already exists"


async def test_seed_scale_adds_a_run_each_time(url: str) -> None:
    await khub(url, "migrate")

    first = await khub(url, "seed", "--scale", "200")
    second = await khub(url, "seed", "--scale", "200")
    scale = "(SELECT id FROM organizations WHERE slug = 'scale')"
    documents = await scalar(url, f"SELECT count(*) FROM documents WHERE organization_id = {scale}")
    edges = await scalar(
        url, f"SELECT count(*) FROM knowledge_edges WHERE organization_id = {scale}"
    )

    assert (first.code, second.code) == (0, 0), first.stderr + second.stderr
    assert "(run 1)" in first.stdout
    assert "(run 2)" in second.stdout
    assert documents == 400
    assert edges == 2 * 5 * 100


async def test_seed_scale_counts_every_call_once_in_each_span_of_days(url: str) -> None:
    await khub(url, "migrate")

    seeded = await khub(url, "seed", "--scale", "200")
    again = await khub(url, "seed", "--scale", "200")
    per_span = await scalar(
        url,
        "SELECT array_agg(DISTINCT n) FROM (SELECT days, sum(queries) AS n"
        " FROM retrieval_daily_durations GROUP BY days) spans",
    )
    spans = await scalar(url, "SELECT count(DISTINCT days) FROM retrieval_daily_durations")
    calls = await scalar(url, "SELECT sum(queries) FROM retrieval_daily_calls")

    assert (seeded.code, again.code) == (0, 0), seeded.stderr + again.stderr
    assert (spans, per_span) == (9, [calls])  # other tests may have seeded the database too
    assert calls >= 2 * 200 * 10
