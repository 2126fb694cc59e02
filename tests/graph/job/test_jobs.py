"""Jobs through the API: admins start reindex and purge, requesters and admins read and
cancel, the worker runs them."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update
from strawberry.relay import from_base64, to_base64

from persistence.audit.models import AuditEvent
from persistence.database import Database
from persistence.document.models import Document
from persistence.document.repository import DocumentRepository
from persistence.job.models import JobStatus
from persistence.scope import Scope
from persistence.settings import Settings
from tests.graph.conftest import GraphQLClient, World
from tests.graph.job.conftest import enqueue, finished, running, until

START_REINDEX = """
mutation StartReindex($input: JobStartReindexInput!) {
  jobStartReindex(input: $input) {
    __typename
    ... on JobStartSuccess { job { id kind status progress requestedBy { username } } }
    ... on ValidationError { field message }
  }
}
"""
START_PURGE = """
mutation StartPurge {
  jobStartPurge(input: {batchSize: 2}) {
    __typename
    ... on JobStartSuccess { job { id status } }
  }
}
"""
CANCEL = """
mutation Cancel($id: ID!) {
  jobCancel(input: {id: $id}) {
    __typename
    ... on JobCancelSuccess { job { status cancelRequested } }
    ... on ValidationError { field message }
    ... on NotFound { id }
  }
}
"""
JOBS = """
query Jobs($status: JobStatus) {
  jobs(first: 10, filter: {status: $status}) {
    totalCount
    edges { node { kind status progress message requestedBy { username } } }
  }
}
"""
JOB = """
query Job($id: ID!) { job(id: $id) { status progress result errorMessage attempts } }
"""


async def test_admins_start_a_reindex_that_the_worker_runs(
    gql: GraphQLClient,
    world: World,
    database: Database,
    app_database: Database,
    worker_settings: Settings,
) -> None:
    async with database.transaction(world.organization.id) as session:
        documents = DocumentRepository(session, Scope.system(world.organization.id))
        for n in range(5):
            await documents.create(title=f"Doc {n}", content="zebras", owner_id=world.admin.user.id)
    body = await gql(START_REINDEX, {"input": {"batchSize": 2}}, token=world.admin.token)
    started = body["data"]["jobStartReindex"]
    assert started["job"]["status"] == "QUEUED"
    assert started["job"]["requestedBy"]["username"] == "admin"

    async with running(app_database, worker_settings):
        row_id = started["job"]["id"]
        (job,) = await until(database, [uuid.UUID(from_base64(row_id)[1])], finished)

    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"documents": 5, "batches": 3}
    read = await gql(JOB, {"id": row_id}, token=world.admin.token)
    assert read["data"]["job"]["progress"] == 100
    assert read["data"]["job"]["attempts"] == 1


async def test_a_bad_batch_size_is_refused_and_queues_nothing(
    gql: GraphQLClient, world: World
) -> None:
    body = await gql(START_REINDEX, {"input": {"batchSize": 0}}, token=world.admin.token)
    assert body["data"]["jobStartReindex"]["__typename"] == "ValidationError"
    assert body["data"]["jobStartReindex"]["field"] == "batchSize"
    listed = await gql(JOBS, token=world.admin.token)
    assert listed["data"]["jobs"]["totalCount"] == 0


async def test_only_admins_start_jobs(gql: GraphQLClient, world: World) -> None:
    body = await gql(START_PURGE, token=world.editor.token)
    assert body["data"] is None
    assert len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_purge_deletes_rows_deleted_before_the_retention_and_keeps_the_audit_trail(
    gql: GraphQLClient,
    world: World,
    database: Database,
    app_database: Database,
    worker_settings: Settings,
) -> None:
    org = world.organization.id
    async with database.transaction(org) as session:
        documents = DocumentRepository(session, Scope.system(org))
        made = [
            await documents.create(title=f"D{n}", content="x", owner_id=world.admin.user.id)
            for n in range(4)
        ]
        for doc in made[:3]:
            await documents.soft_delete(doc.id)
        old = func.now() - timedelta(days=31)
        await session.execute(
            update(Document)
            .where(Document.organization_id == org, Document.id.in_([d.id for d in made[:2]]))
            .values(deleted_at=old)
        )
    body = await gql(START_PURGE, token=world.admin.token)
    assert body["data"]["jobStartPurge"]["__typename"] == "JobStartSuccess"

    async with running(app_database, worker_settings):
        listed = None
        for _ in range(200):
            listed = await gql(JOBS, {"status": "SUCCEEDED"}, token=world.admin.token)
            if listed["data"]["jobs"]["totalCount"]:
                break
            await asyncio.sleep(0.05)
    assert listed is not None and listed["data"]["jobs"]["totalCount"] == 1

    async with database.transaction(org) as session:
        left = set(
            await session.scalars(select(Document.id).where(Document.organization_id == org))
        )
        batches = (
            await session.scalars(
                select(AuditEvent.changes).where(
                    AuditEvent.organization_id == org, AuditEvent.action == "jobPurgeBatch"
                )
            )
        ).all()
    assert left == {made[2].id, made[3].id}
    assert sorted(i for b in batches for i in b["documents"]["old"]) == sorted(
        str(d.id) for d in made[:2]
    )


async def test_purge_keeps_what_the_organization_keeps_longer(
    gql: GraphQLClient,
    world: World,
    database: Database,
    app_database: Database,
    worker_settings: Settings,
) -> None:
    org = world.organization.id
    keep = """mutation Keep($input: OrganizationSettingsUpdateInput!) {
      organizationSettingsUpdate(input: $input) { __typename }
    }"""
    given = {"input": {"expectedVersion": 0, "deletedRetentionDays": 60}}
    assert (await gql(keep, given, token=world.admin.token))["data"] is not None
    async with database.transaction(org) as session:
        documents = DocumentRepository(session, Scope.system(org))
        doc = await documents.create(title="kept", content="x", owner_id=world.admin.user.id)
        await documents.soft_delete(doc.id)
        await session.execute(
            update(Document)
            .where(Document.organization_id == org, Document.id == doc.id)
            .values(deleted_at=func.now() - timedelta(days=31))
        )
    body = await gql(START_PURGE, token=world.admin.token)
    assert body["data"]["jobStartPurge"]["__typename"] == "JobStartSuccess"

    async with running(app_database, worker_settings):
        for _ in range(200):
            listed = await gql(JOBS, {"status": "SUCCEEDED"}, token=world.admin.token)
            if listed["data"]["jobs"]["totalCount"]:
                break
            await asyncio.sleep(0.05)

    assert listed["data"]["jobs"]["totalCount"] == 1
    async with database.transaction(org) as session:
        assert await session.get(Document, (org, doc.id)) is not None


async def test_requesters_see_their_own_jobs_and_admins_all(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    org = world.organization.id
    await enqueue(database, org, world.admin.user.id, "reindex")
    await enqueue(database, org, world.editor.user.id, "purge")

    mine = await gql(JOBS, token=world.editor.token)
    everyone = await gql(JOBS, token=world.admin.token)
    nobody = await gql(JOBS, token=world.viewer.token)

    assert [e["node"]["kind"] for e in mine["data"]["jobs"]["edges"]] == ["purge"]
    assert [e["node"]["kind"] for e in everyone["data"]["jobs"]["edges"]] == ["purge", "reindex"]
    assert nobody["data"]["jobs"]["totalCount"] == 0


async def test_cancel_a_queued_job_at_once_and_refuse_a_finished_one(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    (job_id,) = await enqueue(database, world.organization.id, world.editor.user.id, "reindex")
    global_id = to_base64("Job", job_id)

    cancelled = await gql(CANCEL, {"id": global_id}, token=world.editor.token)
    again = await gql(CANCEL, {"id": global_id}, token=world.editor.token)
    hidden = await gql(CANCEL, {"id": global_id}, token=world.viewer.token)

    assert cancelled["data"]["jobCancel"]["job"] == {
        "status": "CANCELLED",
        "cancelRequested": True,
    }
    assert again["data"]["jobCancel"]["__typename"] == "ValidationError"
    assert again["data"]["jobCancel"]["field"] == "id"
    assert hidden["data"]["jobCancel"]["__typename"] == "NotFound"
