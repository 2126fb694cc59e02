"""Worker test helpers: queue jobs, read them back, run workers in-process or as
`khub worker` subprocesses against the test database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import tests.fixtures.job_kinds  # noqa: F401  (registers the test kinds)
from persistence.audit.models import AuditEvent
from persistence.database import Database
from persistence.job.kinds import load_kinds
from persistence.job.models import FINISHED, Job
from persistence.job.repository import JobRepository
from persistence.job.worker import Worker
from persistence.scope import Scope
from persistence.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
WORKER = (
    "import tests.fixtures.job_kinds; from graph.cli import main; "
    "raise SystemExit(main(['worker', '--concurrency', '{concurrency}']))"
)


async def enqueue(
    database: Database, organization_id: uuid.UUID, requester: uuid.UUID, kind: str, **params: Any
) -> list[uuid.UUID]:
    """Queue one job, or `copies` of it; their ids."""
    copies = params.pop("copies", 1)
    max_attempts = params.pop("max_attempts", 3)
    async with database.transaction(organization_id) as session:
        jobs = JobRepository(session, Scope.system(organization_id))
        made = [
            await jobs.enqueue(kind, params, requester, max_attempts=max_attempts)
            for _ in range(copies)
        ]
    return [job.id for job in made]


async def jobs_of(database: Database, ids: list[uuid.UUID]) -> list[Job]:
    async with database.transaction() as session:
        found = (await session.scalars(select(Job).where(Job.id.in_(ids)))).all()
    by_id = {job.id: job for job in found}
    return [by_id[i] for i in ids]


async def until(
    database: Database, ids: list[uuid.UUID], done: Callable[[Job], bool], seconds: float = 60
) -> list[Job]:
    """The jobs, once every one of them meets `done`."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        jobs = await jobs_of(database, ids)
        if all(done(job) for job in jobs):
            return jobs
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError([(j.status, j.progress, j.attempts) for j in jobs])
        await asyncio.sleep(0.05)


def finished(job: Job) -> bool:
    return job.status in FINISHED


async def traces(database: Database, ids: list[uuid.UUID], action: str) -> list[AuditEvent]:
    async with database.transaction() as session:
        stmt = (
            select(AuditEvent)
            .where(AuditEvent.entity_id.in_(ids), AuditEvent.action == action)
            .order_by(AuditEvent.created_at)
        )
        return list((await session.scalars(stmt)).all())


async def count_traces(database: Database, ids: list[uuid.UUID], action: str) -> dict[Any, int]:
    async with database.transaction() as session:
        stmt = (
            select(AuditEvent.entity_id, func.count())
            .where(AuditEvent.entity_id.in_(ids), AuditEvent.action == action)
            .group_by(AuditEvent.entity_id)
        )
        return dict((await session.execute(stmt)).all())


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    return replace(settings, job_poll_ms=50, job_lease_seconds=30, job_retry_ms=300)


@asynccontextmanager
async def running(
    app_database: Database, settings: Settings, concurrency: int = 2
) -> AsyncIterator[Worker]:
    """An in-process worker on the app's login role, stopped afterwards."""
    worker = Worker(app_database, settings, concurrency=concurrency, handlers=load_kinds())
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        worker.stop()
        await asyncio.wait_for(task, 30)


@contextmanager
def worker_process(
    database_url: str, app_database_url: str, *, concurrency: int = 2, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """A real `khub worker` subprocess; stopped with SIGTERM afterwards if still running."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "KHUB_APP_DATABASE_URL": app_database_url,
        "KHUB_JOB_POLL_MS": "50",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER.format(concurrency=concurrency)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
