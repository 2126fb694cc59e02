"""Import and export through the API and a real worker: a multipart upload becomes a job
that lands the exact tree, once; an export is downloaded once by its requester only through
`Job.downloadUrl`, and imports back into a fresh organization as the same content."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from strawberry.relay import from_base64, to_base64

from persistence.database import Database
from persistence.file.models import JobFile
from persistence.job.models import Job, JobStatus
from persistence.settings import Settings
from persistence.transfer.settings import transfer_settings
from persistence.user.models import Role, UserRole
from tests.graph.conftest import GraphQLClient, Member, World, organization_with
from tests.graph.job.conftest import finished, running, until
from tests.graph.transfer.conftest import content_of, tree
from tests.graph.transfer.test_export import given_content
from tests.graph.transfer.test_import import EXPECTED, FIXTURE, inbox

START_IMPORT = """
mutation StartImport($input: JobStartImportInput!) {
  jobStartImport(input: $input) {
    __typename
    ... on JobStartSuccess { job { id kind status params requestedBy { username } } }
    ... on ValidationError { field message }
    ... on NotFound { id message }
  }
}
"""
START_EXPORT = """
mutation StartExport($input: JobStartExportInput!) {
  jobStartExport(input: $input) {
    __typename
    ... on JobStartSuccess { job { id kind status params } }
    ... on ValidationError { field message }
  }
}
"""
JOB = """
query Job($id: ID!) { job(id: $id) { status result errorMessage attempts downloadUrl } }
"""
JOBS = "query Jobs { jobs(first: 5) { edges { node { kind status %s } } } }"


async def upload(
    client: httpx.AsyncClient,
    member: Member,
    content: bytes,
    *,
    collection_id: str | None = None,
    name: str = "notes.zip",
) -> dict[str, Any]:
    """`jobStartImport` as a multipart request (the GraphQL multipart request spec)."""
    variables = {"input": {"file": None, "collectionId": collection_id}}
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": START_IMPORT, "variables": variables}),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (name, content, "application/zip")},
        headers={"Authorization": f"Bearer {member.token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["jobStartImport"]


async def imported(
    client: httpx.AsyncClient,
    database: Database,
    app_database: Database,
    settings: Settings,
    member: Member,
    content: bytes,
    **options: Any,
) -> Job:
    """Upload `content` as `member`, let a worker import it, and return the finished job."""
    started = await upload(client, member, content, **options)
    assert started["__typename"] == "JobStartSuccess", started
    async with running(app_database, settings):
        (job,) = await until(database, [job_id(started)], finished)
    return job


def job_id(started: dict[str, Any]) -> uuid.UUID:
    return uuid.UUID(from_base64(started["job"]["id"])[1])


async def file_count(database: Database, organization_id: uuid.UUID) -> int:
    async with database.transaction() as session:
        stmt = select(func.count()).where(JobFile.organization_id == organization_id)
        return await session.scalar(stmt) or 0


async def job_count(database: Database, organization_id: uuid.UUID) -> int:
    async with database.transaction() as session:
        stmt = select(func.count()).where(Job.organization_id == organization_id)
        return await session.scalar(stmt) or 0


async def exported(
    gql: GraphQLClient,
    database: Database,
    app_database: Database,
    settings: Settings,
    member: Member,
) -> str:
    """Export as `member` through the API and a worker; the job's global id."""
    body = await gql(START_EXPORT, {"input": {}}, token=member.token)
    started = body["data"]["jobStartExport"]
    assert started["__typename"] == "JobStartSuccess", started
    async with running(app_database, settings):
        (job,) = await until(database, [job_id(started)], finished)
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    return started["job"]["id"]


async def test_an_uploaded_markdown_zip_lands_as_the_exact_tree_once(
    client: httpx.AsyncClient,
    database: Database,
    app_database: Database,
    worker_settings: Settings,
    world: World,
) -> None:
    target = to_base64("Collection", await inbox(database, world.editor))
    first = await imported(
        client,
        database,
        app_database,
        worker_settings,
        world.editor,
        FIXTURE,
        collection_id=target,
    )
    after_first = await tree(database, world.organization.id)
    again = await imported(
        client,
        database,
        app_database,
        worker_settings,
        world.editor,
        FIXTURE,
        collection_id=target,
    )

    assert after_first == EXPECTED
    assert await tree(database, world.organization.id) == EXPECTED
    assert (first.status, first.attempts) == (JobStatus.SUCCEEDED, 1)
    assert first.result is not None and again.result is not None
    assert first.result["created"] == {"collections": 2, "documents": 3}
    assert (first.result["unchanged"], first.result["problemCount"]) == (0, 0)
    assert again.result["created"] == {"collections": 0, "documents": 0}
    assert again.result["unchanged"] == 3


async def test_an_import_job_reports_its_counts_to_the_requester(
    client: httpx.AsyncClient,
    gql: GraphQLClient,
    database: Database,
    app_database: Database,
    worker_settings: Settings,
    world: World,
) -> None:
    started = await upload(client, world.editor, FIXTURE)
    assert started["job"]["kind"] == "import"
    assert started["job"]["status"] == "QUEUED"
    assert started["job"]["requestedBy"] == {"username": "editor"}
    async with running(app_database, worker_settings):
        await until(database, [job_id(started)], finished)

    body = await gql(JOB, {"id": started["job"]["id"]}, token=world.editor.token)

    job = body["data"]["job"]
    assert job["status"] == "SUCCEEDED"
    assert job["result"]["created"] == {"collections": 2, "documents": 3}
    assert job["downloadUrl"] is None  # an import has nothing to download


async def test_an_export_downloads_once_for_its_requester_only(
    client: httpx.AsyncClient,
    gql: GraphQLClient,
    database: Database,
    app_database: Database,
    worker_settings: Settings,
    world: World,
) -> None:
    await given_content(database, world)
    export = await exported(gql, database, app_database, worker_settings, world.editor)

    mine = (await gql(JOB, {"id": export}, token=world.editor.token))["data"]["job"]
    admins = (await gql(JOB, {"id": export}, token=world.admin.token))["data"]["job"]
    url = mine["downloadUrl"]
    refused = await client.get(url, headers={"Authorization": f"Bearer {world.admin.token}"})
    own = {"Authorization": f"Bearer {world.editor.token}"}
    first = await client.get(url, headers=own)
    second = await client.get(url, headers=own)

    assert mine["status"] == "SUCCEEDED"
    assert mine["result"]["counts"]["documents"] == 2  # not the admin's private one
    assert url.startswith("/files/") and "signature=" in url
    assert admins["status"] == "SUCCEEDED" and admins["downloadUrl"] is None
    assert refused.status_code == 404
    assert first.status_code == 200 and first.content.startswith(b"PK")
    assert first.headers["content-type"] == "application/zip"
    assert second.status_code == 410


async def test_an_export_imports_into_a_fresh_organization_through_the_api(
    client: httpx.AsyncClient,
    gql: GraphQLClient,
    database: Database,
    app_database: Database,
    settings: Settings,
    worker_settings: Settings,
    world: World,
) -> None:
    await given_content(database, world)
    export = await exported(gql, database, app_database, worker_settings, world.admin)
    url = (await gql(JOB, {"id": export}, token=world.admin.token))["data"]["job"]["downloadUrl"]
    archive = await client.get(url, headers={"Authorization": f"Bearer {world.admin.token}"})
    assert archive.status_code == 200

    async with organization_with(database, settings, {"owner": Role.ADMIN}, name="Fresh") as fresh:
        owner = fresh.members["owner"]
        job = await imported(
            client, database, app_database, worker_settings, owner, archive.content
        )

        assert job.status == JobStatus.SUCCEEDED, job.error_message
        assert job.result is not None and job.result["problemCount"] == 0
        assert await content_of(database, fresh.organization.id) == await content_of(
            database, world.organization.id
        )


@pytest.fixture
def small_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Transfer settings with a 100-byte file cap (read once per process: re-read here)."""
    monkeypatch.setenv("KHUB_MAX_FILE_BYTES", "100")
    transfer_settings.cache_clear()
    yield 100
    monkeypatch.undo()
    transfer_settings.cache_clear()


async def test_a_file_over_the_cap_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, database: Database, world: World, small_files: int
) -> None:
    refused = await upload(client, world.editor, b"x" * 500)

    assert refused == {
        "__typename": "ValidationError",
        "field": "file",
        "message": "the file has 500 bytes; the limit is 100",
    }
    assert await file_count(database, world.organization.id) == 0
    assert await job_count(database, world.organization.id) == 0


@pytest.mark.parametrize("which", ["not a collection id", "no such collection"])
async def test_a_bad_collection_id_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, database: Database, world: World, which: str
) -> None:
    collection_id = {
        "not a collection id": world.editor.global_id,
        "no such collection": to_base64("Collection", uuid.uuid4()),
    }[which]

    refused = await upload(client, world.editor, FIXTURE, collection_id=collection_id)

    if which == "not a collection id":
        assert refused["__typename"] == "ValidationError"
        assert refused["field"] == "collectionId"
    else:
        assert refused["__typename"] == "NotFound"
        assert refused["id"] == collection_id
    assert await file_count(database, world.organization.id) == 0
    assert await job_count(database, world.organization.id) == 0


async def test_an_import_sent_as_json_says_it_needs_a_multipart_request(
    gql: GraphQLClient, database: Database, world: World
) -> None:
    body = await gql(START_IMPORT, {"input": {"file": "notes.zip"}}, token=world.editor.token)

    refused = body["data"]["jobStartImport"]
    assert refused["__typename"] == "ValidationError"
    assert refused["field"] == "file"
    assert "multipart" in refused["message"]
    assert await job_count(database, world.organization.id) == 0


async def test_a_viewer_cannot_start_an_import(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    variables = {"input": {"file": None}}
    response = await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": START_IMPORT, "variables": variables}),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("notes.zip", FIXTURE, "application/zip")},
        headers={"Authorization": f"Bearer {world.viewer.token}"},
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await file_count(database, world.organization.id) == 0


async def test_an_importer_demoted_before_the_job_runs_fails_it_without_retrying(
    client: httpx.AsyncClient,
    database: Database,
    app_database: Database,
    worker_settings: Settings,
    world: World,
) -> None:
    started = await upload(client, world.editor, FIXTURE)
    async with database.transaction() as session:
        await session.execute(
            update(UserRole)
            .where(UserRole.user_id == world.editor.user.id)
            .values(role=Role.VIEWER)
        )
    async with running(app_database, worker_settings):
        (job,) = await until(database, [job_id(started)], finished)

    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert job.error_message == "only editors and admins may import"
    assert (await tree(database, world.organization.id))["documents"] == {}


async def test_a_long_export_label_is_refused(gql: GraphQLClient, world: World) -> None:
    body = await gql(START_EXPORT, {"input": {"label": "x" * 201}}, token=world.viewer.token)

    assert body["data"]["jobStartExport"] == {
        "__typename": "ValidationError",
        "field": "label",
        "message": "a label has at most 200 characters",
    }


async def test_selecting_download_url_runs_the_reference_executor(
    client: httpx.AsyncClient, world: World
) -> None:
    headers = {"Authorization": f"Bearer {world.admin.token}"}

    plain = await client.post("/graphql", json={"query": JOBS % ""}, headers=headers)
    with_url = await client.post("/graphql", json={"query": JOBS % "downloadUrl"}, headers=headers)

    assert plain.headers["x-khub-execution"] == "compiled"
    assert with_url.headers["x-khub-execution"] == "reference"
    assert with_url.json() == {"data": {"jobs": {"edges": []}}}
