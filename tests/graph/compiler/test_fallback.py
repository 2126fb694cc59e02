"""Whatever the compiler cannot answer exactly runs on the reference executor, whole."""

from __future__ import annotations

import httpx
import pytest

from persistence.database import Database
from persistence.scope import Scope
from persistence.user.repository import UserRepository
from tests.graph.compiler.conftest import Both, same
from tests.graph.compiler.data import build
from tests.graph.conftest import World

DOCUMENTS = """
query ($first: Int, $after: String, $deleted: Boolean) {
  documents(first: $first, after: $after, includeDeleted: $deleted) {
    edges { node { title owner { username } } }
  }
}
"""


async def _falls_back(both: Both, query: str, variables: dict | None, token: str | None) -> dict:
    compiled, reference = await both(query, variables, token=token)
    assert compiled.execution == "reference"
    assert compiled.json == reference.json
    return compiled.json


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 101}, "BAD_USER_INPUT"),
        ({"first": -1}, "BAD_USER_INPUT"),
        ({"first": 2, "after": "bm90IGEgY3Vyc29y"}, "BAD_USER_INPUT"),
    ],
)
async def test_values_the_reference_refuses_fall_back_with_its_error(
    both: Both, world: World, variables: dict, code: str
) -> None:
    result = await _falls_back(both, DOCUMENTS, variables, world.viewer.token)

    assert [e["extensions"]["code"] for e in result["errors"]] == [code]


async def test_the_same_document_compiles_again_with_good_values(both: Both, world: World) -> None:
    await _falls_back(both, DOCUMENTS, {"first": 101}, world.viewer.token)

    compiled, reference = await both(DOCUMENTS, {"first": 3}, token=world.viewer.token)

    assert compiled.execution == "compiled"
    assert compiled.json == reference.json


async def test_an_anonymous_caller_falls_back(both: Both, world: World) -> None:
    result = await _falls_back(both, DOCUMENTS, None, None)

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_another_users_email_falls_back_with_forbidden(both: Both, world: World) -> None:
    query = "{ users { edges { node { username email } } } }"

    result = await _falls_back(both, query, None, world.viewer.token)

    assert {e["extensions"]["code"] for e in result["errors"]} == {"FORBIDDEN"}


async def test_a_soft_deleted_owner_stays_on_the_record_on_both_paths(
    both: Both, world: World, database: Database
) -> None:
    # `Document.owner` is non-null: hiding a deleted owner nulled every list holding one of
    # their documents (the differential tests found it).
    await build(world, database)
    async with database.transaction() as session:
        await UserRepository(session, Scope.system(world.organization.id)).soft_delete(
            world.viewer.user.id
        )

    compiled, reference = await both(DOCUMENTS, None, token=world.editor.token)

    same(compiled, reference)
    owners = {e["node"]["owner"]["username"] for e in compiled.json["data"]["documents"]["edges"]}
    assert "viewer" in owners


@pytest.mark.parametrize(
    "query",
    [
        "{ similarNodes(vector: [1.0]) { distance } }",
        "{ __schema { queryType { name } } }",
    ],
)
async def test_fields_without_a_declaration_fall_back(both: Both, world: World, query: str) -> None:
    await _falls_back(both, query, None, world.editor.token)


async def test_a_mutation_runs_on_the_reference(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "mutation { logout { __typename } }"},
        headers={"Authorization": f"Bearer {world.viewer.token}"},
    )

    assert response.headers["x-khub-execution"] == "reference"


async def test_compiled_reads_can_be_turned_off(both: Both, world: World) -> None:
    query = "{ viewer { username } }"
    compiled, reference = await both(query, token=world.viewer.token)

    assert compiled.execution == "compiled"
    assert reference.execution == "reference"
    assert compiled.json == reference.json == {"data": {"viewer": {"username": "viewer"}}}
