"""`jobs` and `job(id)` compile from their declarations and answer like the reference:
requesters their own jobs, admins all, and null for an id that names no job of theirs."""

from __future__ import annotations

import pytest
from strawberry.relay import to_base64

from persistence.database import Database
from tests.graph.compiler.conftest import Both, same
from tests.graph.conftest import World
from tests.graph.job.conftest import enqueue

JOBS_PAGE = """
query JobsPage {
  jobs(first: 5) {
    totalCount
    edges { cursor node { id kind status progress message attempts maxAttempts params
      result errorMessage cancelRequested requestedBy { username } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ONE_JOB = """
query OneJob($id: ID!) { job(id: $id) { id kind status params requestedBy { username } } }
"""


async def test_the_job_list_compiles_per_requester(
    both: Both, world: World, database: Database
) -> None:
    await enqueue(database, world.organization.id, world.admin.user.id, "reindex")
    await enqueue(database, world.organization.id, world.editor.user.id, "purge", batch_size=9)

    for member in (world.admin, world.editor, world.viewer):
        compiled, reference = await both(JOBS_PAGE, token=member.token)
        same(compiled, reference)
    assert compiled.json["data"]["jobs"]["totalCount"] == 0  # the viewer asked for none


@pytest.mark.parametrize("whose", ["own", "other", "not a job"])
async def test_one_job_compiles_and_is_null_unless_visible(
    both: Both, world: World, database: Database, whose: str
) -> None:
    (admins,) = await enqueue(database, world.organization.id, world.admin.user.id, "reindex")
    (editors,) = await enqueue(database, world.organization.id, world.editor.user.id, "purge")
    id = {
        "own": to_base64("Job", editors),
        "other": to_base64("Job", admins),
        "not a job": world.editor.global_id,
    }[whose]

    compiled, reference = await both(ONE_JOB, {"id": id}, token=world.editor.token)

    same(compiled, reference)
    assert (compiled.json["data"]["job"] is None) == (whose != "own")
