"""The worker: every job runs exactly once across workers, a killed worker's job finishes
elsewhere after its lease, failures retry with back-off and stop, cancel stops at the next
step, and a step's writes commit with its progress."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import replace

import pytest

from persistence.database import Database
from persistence.job.models import JobStatus
from persistence.job.repository import JobRepository
from persistence.scope import Scope
from persistence.settings import Settings
from tests.graph.conftest import World
from tests.graph.job.conftest import (
    count_traces,
    enqueue,
    finished,
    jobs_of,
    running,
    traces,
    until,
    worker_process,
)


async def test_two_workers_run_each_of_200_jobs_exactly_once(
    database: Database, world: World, database_url: str, app_database_url: str
) -> None:
    ids = await enqueue(
        database, world.organization.id, world.admin.user.id, "test.record", copies=200
    )
    with (
        worker_process(database_url, app_database_url, concurrency=4),
        worker_process(database_url, app_database_url, concurrency=4),
    ):
        jobs = await until(database, ids, finished, seconds=120)

    assert {job.status for job in jobs} == {JobStatus.SUCCEEDED}
    assert {job.attempts for job in jobs} == {1}
    runs = await count_traces(database, ids, "test.ran")
    assert len(runs) == 200
    assert set(runs.values()) == {1}
    assert all(job.result == {"ran": True} for job in jobs)


async def test_a_killed_workers_job_finishes_on_the_other_after_its_lease(
    database: Database, world: World, database_url: str, app_database_url: str
) -> None:
    (job_id,) = await enqueue(
        database,
        world.organization.id,
        world.admin.user.id,
        "test.batches",
        batches=6,
        size=5,
        pause=0.3,
    )
    lease = {"KHUB_JOB_LEASE_SECONDS": "2"}
    with worker_process(database_url, app_database_url, concurrency=1, **lease) as first:
        (running_job,) = await until(database, [job_id], lambda j: j.progress >= 30)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        holder = running_job.lease_owner
        with worker_process(database_url, app_database_url, concurrency=1, **lease):
            (job,) = await until(database, [job_id], finished)

    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert job.lease_owner is None and holder is not None
    batches = await traces(database, [job_id], "test.batch")
    per_batch: dict[tuple[int, int], int] = {}
    for event in batches:
        key = (event.changes["attempt"], event.changes["batch"])
        per_batch[key] = per_batch.get(key, 0) + 1
    assert set(per_batch.values()) == {5}  # whole batches only, even the killed attempt's
    assert {b for a, b in per_batch if a == 2} == set(range(6))
    assert {b for a, b in per_batch if a == 1} == set(range(len(per_batch) - 6))


async def test_a_failing_job_retries_with_growing_back_off_then_fails(
    database: Database, world: World, app_database: Database, worker_settings: Settings
) -> None:
    (job_id,) = await enqueue(
        database, world.organization.id, world.admin.user.id, "test.fail", max_attempts=3
    )
    async with running(app_database, worker_settings):
        (job,) = await until(database, [job_id], finished)

    assert job.status == JobStatus.FAILED
    assert job.attempts == 3
    assert job.error_message == "RuntimeError: the test kind always fails"
    attempts = await traces(database, [job_id], "test.attempt")
    assert [a.changes["attempt"] for a in attempts] == [1, 2, 3]
    first_wait = (attempts[1].created_at - attempts[0].created_at).total_seconds()
    second_wait = (attempts[2].created_at - attempts[1].created_at).total_seconds()
    assert first_wait >= 0.3
    assert second_wait >= 0.6
    assert await count_traces(database, [job_id], "jobRetry") == {job_id: 2}


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("test.invalid", "the test kind refuses its input"),
        ("test.refused", "Refused: the test kind is not allowed to run"),
    ],
)
async def test_a_permanent_failure_fails_the_job_without_retrying(
    database: Database,
    world: World,
    app_database: Database,
    worker_settings: Settings,
    kind: str,
    error: str,
) -> None:
    (job_id,) = await enqueue(
        database, world.organization.id, world.admin.user.id, kind, max_attempts=3
    )
    async with running(app_database, worker_settings):
        (job,) = await until(database, [job_id], finished)

    assert job.status == JobStatus.FAILED
    assert job.attempts == 1
    assert job.error_message == error
    assert len(await traces(database, [job_id], "test.attempt")) == 1
    assert await count_traces(database, [job_id], "jobRetry") == {}
    assert await count_traces(database, [job_id], "jobFinish") == {job_id: 1}


async def test_cancel_stops_a_running_job_at_its_next_step(
    database: Database, world: World, app_database: Database, worker_settings: Settings
) -> None:
    (job_id,) = await enqueue(
        database,
        world.organization.id,
        world.admin.user.id,
        "test.batches",
        batches=50,
        size=2,
        pause=0.1,
    )
    async with running(app_database, worker_settings, concurrency=1):
        await until(database, [job_id], lambda j: j.progress >= 4)
        async with database.transaction(world.organization.id) as session:
            await JobRepository(session, Scope.system(world.organization.id)).cancel(job_id)
        (job,) = await until(database, [job_id], finished)
        written = len(await traces(database, [job_id], "test.batch"))
        await asyncio.sleep(0.3)
        (still,) = await jobs_of(database, [job_id])

    assert job.status == JobStatus.CANCELLED
    assert job.attempts == 1
    assert 4 <= written < 100 and written % 2 == 0
    assert len(await traces(database, [job_id], "test.batch")) == written
    assert still.status == JobStatus.CANCELLED


async def test_a_stopping_worker_hands_its_job_back_without_counting_the_attempt(
    database: Database, world: World, app_database: Database, worker_settings: Settings
) -> None:
    (job_id,) = await enqueue(
        database,
        world.organization.id,
        world.admin.user.id,
        "test.batches",
        batches=40,
        size=1,
        pause=0.1,
    )
    async with running(app_database, worker_settings, concurrency=1):
        await until(database, [job_id], lambda j: j.progress >= 5)
    (job,) = await jobs_of(database, [job_id])
    assert job.status == JobStatus.QUEUED
    assert job.attempts == 0 and job.lease_owner is None

    async with running(app_database, replace(worker_settings), concurrency=1):
        (job,) = await until(database, [job_id], finished)
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
