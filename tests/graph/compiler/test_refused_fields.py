"""A root field the reference refuses every viewer of a plan's kind (the audit trail for a
non-admin, `includeDeleted: true` for a non-admin) is answered by the compiled path with the
reference's exact bytes: the field's error, made at plan time, and the nulls it causes."""

from __future__ import annotations

from typing import Any

import httpx
from strawberry.relay import to_base64

from persistence.database import Database
from tests.fixtures.statements import StatementCounter
from tests.graph.compiler.conftest import Both, same
from tests.graph.compiler.data import build
from tests.graph.conftest import World

MARK = "/* khub:compiled */"

AUDIT = """
query Audit {
  __typename
  trail: auditEvents(first: 2) { totalCount edges { node { action } } }
}
"""

# a refused non-null field nulls `data`: its siblings' values are not shown
AUDIT_BESIDE_DOCUMENTS = """
query {
  documents(first: 2) { edges { node { title } } }
  ...Trail
}
fragment Trail on Query { trail: auditEvents { totalCount } }
"""

# one response key from two field nodes: the error has both locations
MERGED = """
{
  auditEvents(first: 1) { totalCount }
  ... on Query { auditEvents(first: 1) { pageInfo { hasNextPage } } }
}
"""

DELETED = """
query ($deleted: Boolean!, $filter: DocumentFilter) {
  documents(first: 3, includeDeleted: $deleted, filter: $filter) { totalCount }
}
"""

DELETED_LITERALLY = "{ collections(includeDeleted: true) { totalCount } }"

# only the first refused non-null field's error: graphql-core cancels the rest
TWO_REFUSED = """
{
  users(includeDeleted: true) { totalCount }
  auditEvents { totalCount }
}
"""

# a sibling's bad value: the reference may report it first, so the reference answers
BAD_SIBLING = """
query ($first: Int) {
  documents(first: $first) { totalCount }
  auditEvents { totalCount }
}
"""


async def _post(client: httpx.AsyncClient, query: str, variables: dict, token: str) -> Any:
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )


async def _same_bytes(both: Both, query: str, variables: dict, token: str) -> httpx.Response:
    compiled = await _post(both.compiled, query, variables, token)
    reference = await _post(both.reference, query, variables, token)

    assert compiled.headers["x-khub-execution"] == "compiled"
    assert reference.headers["x-khub-execution"] == "reference"
    assert compiled.status_code == reference.status_code == 200
    assert compiled.content == reference.content
    return compiled


async def test_a_viewer_asking_for_the_audit_trail_gets_the_references_bytes_compiled(
    both: Both, world: World, database: Database
) -> None:
    await build(world, database)

    response = await _same_bytes(both, AUDIT, {}, world.viewer.token)

    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "this needs the ADMIN role",
                "locations": [{"line": 4, "column": 3}],
                "path": ["trail"],
                "extensions": {"code": "FORBIDDEN"},
            }
        ],
    }


async def test_a_refused_non_null_field_nulls_the_data_around_its_siblings(
    both: Both, world: World, database: Database
) -> None:
    await build(world, database)

    response = await _same_bytes(both, AUDIT_BESIDE_DOCUMENTS, {}, world.editor.token)

    body = response.json()
    assert body["data"] is None
    assert [(e["path"], e["locations"]) for e in body["errors"]] == [
        (["trail"], [{"line": 6, "column": 27}])
    ]


async def test_a_refused_field_merged_from_two_nodes_is_located_at_both(
    both: Both, world: World
) -> None:
    response = await _same_bytes(both, MERGED, {}, world.viewer.token)

    assert response.json()["errors"][0]["locations"] == [
        {"line": 3, "column": 3},
        {"line": 4, "column": 18},
    ]


async def test_an_admin_still_reads_the_audit_trail_compiled(
    both: Both, world: World, database: Database
) -> None:
    await build(world, database)

    compiled, reference = await both(AUDIT, token=world.admin.token)

    same(compiled, reference)  # PostgreSQL spaces its JSON: equal, key order included
    assert "errors" not in compiled.json
    assert compiled.json["data"]["trail"]["totalCount"] > 0


async def test_deleted_rows_asked_for_by_a_non_admin_are_refused_compiled(
    both: Both, world: World, database: Database
) -> None:
    await build(world, database)

    by_variable = await _same_bytes(both, DELETED, {"deleted": True}, world.editor.token)
    literally = await _same_bytes(both, DELETED_LITERALLY, {}, world.viewer.token)
    allowed, reference = await both(DELETED, {"deleted": False}, token=world.editor.token)

    for refused in (by_variable, literally):
        assert [e["message"] for e in refused.json()["errors"]] == [
            "only admins may list deleted rows"
        ]
        assert refused.json()["data"] is None
    same(allowed, reference)
    assert allowed.json["data"]["documents"]["totalCount"] > 0


async def test_only_the_first_refused_non_null_field_is_reported(both: Both, world: World) -> None:
    response = await _same_bytes(both, TWO_REFUSED, {}, world.viewer.token)

    assert [e["path"] for e in response.json()["errors"]] == [["users"]]


async def test_a_filter_the_reference_refuses_first_falls_back(both: Both, world: World) -> None:
    """`RootList.resolve` reads the filter before it refuses deleted rows."""
    wrong_type = {"ownerId": to_base64("Tag", world.viewer.user.id)}
    variables = {"deleted": True, "filter": wrong_type}

    compiled = await _post(both.compiled, DELETED, variables, world.viewer.token)
    reference = await _post(both.reference, DELETED, variables, world.viewer.token)

    assert compiled.headers["x-khub-execution"] == "reference"
    assert compiled.content == reference.content
    assert [e["extensions"]["code"] for e in reference.json()["errors"]] == ["BAD_USER_INPUT"]


async def test_a_siblings_bad_value_beside_a_refused_field_falls_back(
    both: Both, world: World
) -> None:
    compiled = await _post(both.compiled, BAD_SIBLING, {"first": 101}, world.viewer.token)
    reference = await _post(both.reference, BAD_SIBLING, {"first": 101}, world.viewer.token)

    assert compiled.headers["x-khub-execution"] == "reference"
    assert compiled.content == reference.content

    good = await _same_bytes(both, BAD_SIBLING, {"first": 1}, world.viewer.token)
    assert [e["path"] for e in good.json()["errors"]] == [["auditEvents"]]


async def test_a_refused_answer_reads_nothing_but_still_authenticates_a_known_caller(
    client: httpx.AsyncClient, world: World, statements: StatementCounter
) -> None:
    statements.reset()
    await _post(client, AUDIT_BESIDE_DOCUMENTS, {}, world.viewer.token)
    new_caller = list(statements.statements)
    statements.reset()
    again = await _post(client, AUDIT_BESIDE_DOCUMENTS, {}, world.viewer.token)
    known_caller = list(statements.statements)

    assert again.headers["x-khub-execution"] == "compiled"
    assert again.json()["data"] is None
    # a new caller: authenticated, and nothing is left to read
    assert [("khub_authenticate" in s, MARK in s) for s in new_caller] == [(True, False)]
    # a known caller: the one statement that authenticates again, and reads no table
    (statement,) = known_caller
    assert "khub_authenticate" in statement and MARK in statement
    assert "documents" not in statement


async def test_a_revoked_session_asking_for_a_refused_field_is_unauthenticated(
    client: httpx.AsyncClient, world: World, database: Database
) -> None:
    from sqlalchemy import text

    token = world.viewer.token
    for _ in range(2):
        assert (await _post(client, AUDIT, {}, token)).json()["errors"][0]["extensions"] == {
            "code": "FORBIDDEN"
        }
    async with database.transaction() as session:
        await session.execute(
            text("UPDATE user_sessions SET revoked_at = now() WHERE user_id = :user"),
            {"user": world.viewer.user.id},
        )

    refused = (await _post(client, AUDIT, {}, token)).json()

    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]
