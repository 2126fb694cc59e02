"""Two operations that update the same documents in opposite orders, sent at the same time:
PostgreSQL breaks the deadlock by undoing one of them. That one is answered with one typed
error (409, `TRANSIENT_CONFLICT`) and no data — its first mutation was undone with the rest
— never with an internal error; the other one stands, and nothing is half-written."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from graph.core.errors import TransientConflict
from tests.graph.conftest import Member, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import gid

MAX_ROUNDS = 40
COLLISIONS = 3  # enough rounds to have met this many deadlocks (each takes PostgreSQL ~1 s)

UPDATE_BOTH = """
mutation Both($first: DocumentUpdateInput!, $second: DocumentUpdateInput!) {
  first: documentUpdate(input: $first) { __typename }
  second: documentUpdate(input: $second) { __typename }
}
"""

VERSIONS = "query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Document { version } } }"

UNDONE = {
    "errors": [
        {"message": TransientConflict().message, "extensions": {"code": "TRANSIENT_CONFLICT"}}
    ]
}


async def _post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], by: Member
) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {by.token}"},
    )


async def _versions(client: httpx.AsyncClient, ids: list[str], by: Member) -> list[int]:
    response = await _post(client, VERSIONS, {"ids": ids}, by)
    return [node["version"] for node in response.json()["data"]["nodes"]]


async def test_a_deadlocked_operation_is_undone_whole_and_answered_with_a_typed_error(
    client: httpx.AsyncClient, world: World, given: Given
) -> None:
    a, b = await given.document("A"), await given.document("B")
    ids = [gid("Document", a.id), gid("Document", b.id)]
    collisions = 0
    for round in range(MAX_ROUNDS):
        before = await _versions(client, ids, world.editor)
        forwards = {
            "first": {"id": ids[0], "expectedVersion": before[0], "title": f"A{round}"},
            "second": {"id": ids[1], "expectedVersion": before[1], "title": f"B{round}"},
        }
        backwards = {"first": forwards["second"], "second": forwards["first"]}
        answers = await asyncio.gather(
            _post(client, UPDATE_BOTH, forwards, world.editor),
            _post(client, UPDATE_BOTH, backwards, world.admin),
        )

        updated = [0, 0]  # per document, by the operations that stood
        for answer, order in zip(answers, ([0, 1], [1, 0]), strict=True):
            if answer.status_code == 409:
                assert answer.json() == UNDONE
                collisions += 1
                continue
            assert answer.status_code == 200, answer.text
            data = answer.json()
            assert "errors" not in data, data
            for field, document in zip(("first", "second"), order, strict=True):
                kind = data["data"][field]["__typename"]
                assert kind in ("DocumentUpdateSuccess", "VersionConflict"), data
                updated[document] += kind == "DocumentUpdateSuccess"
        after = await _versions(client, ids, world.editor)
        assert after == [before[0] + updated[0], before[1] + updated[1]]
        if collisions >= COLLISIONS:
            break

    assert collisions >= COLLISIONS, f"only {collisions} deadlocks in {MAX_ROUNDS} rounds"
    final = await _versions(client, ids, world.editor)
    assert [await given.audit_count(a.id), await given.audit_count(b.id)] == [
        final[0] - 1,
        final[1] - 1,
    ]
