"""`jobProgress(id)`: each committed step of a job reaches its requester, the last event
shows how it ended and completes the subscription; other users' jobs never arrive."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from strawberry.relay import to_base64

from persistence.database import Database
from persistence.settings import Settings
from tests.fixtures.websocket import Socket
from tests.graph.conftest import World
from tests.graph.job.conftest import enqueue, finished, running, until
from tests.graph.subscription.conftest import listening

JOB_PROGRESS = """
subscription Progress($id: ID!) {
  jobProgress(id: $id) { kind job { status progress message } }
}
"""


async def test_the_requester_follows_each_step_until_the_job_ends(
    app: Any, world: World, database: Database, app_database: Database, settings: Settings
) -> None:
    (job_id,) = await enqueue(
        database, world.organization.id, world.editor.user.id, "test.batches", batches=3, size=1
    )
    async with Socket(app) as socket:
        assert (await socket.init({"token": world.editor.token}))["type"] == "connection_ack"
        await socket.subscribe("1", JOB_PROGRESS, {"id": to_base64("Job", job_id)})
        await listening(app)
        async with running(app_database, replace(settings, job_poll_ms=50)):
            await until(database, [job_id], finished)
            events = [await socket.receive() for _ in range(4)]
            completed = await socket.receive()

    progress = [e["payload"]["data"]["jobProgress"] for e in events]
    assert [(p["kind"], p["job"]["progress"]) for p in progress[:3]] == [
        ("UPDATED", 33),
        ("UPDATED", 66),
        ("UPDATED", 100),
    ]
    assert progress[3]["job"]["status"] == "SUCCEEDED"
    assert completed == {"id": "1", "type": "complete"}


async def test_another_users_job_never_reaches_a_subscriber(
    app: Any, world: World, database: Database, app_database: Database, settings: Settings
) -> None:
    (job_id,) = await enqueue(
        database, world.organization.id, world.editor.user.id, "test.batches", batches=2, size=1
    )
    async with Socket(app) as socket:
        assert (await socket.init({"token": world.viewer.token}))["type"] == "connection_ack"
        await socket.subscribe("1", JOB_PROGRESS, {"id": to_base64("Job", job_id)})
        await listening(app)
        async with running(app_database, replace(settings, job_poll_ms=50)):
            await until(database, [job_id], finished)
            assert await socket.nothing_within(0.5)
