"""Declared aggregates and the admin lists compile: `degree`, `documentCount`,
`AuditEvent.entityId`, `apiKeys` with `ApiKey` fields and `auditEvents` answer exactly as
the reference does, for every principal."""

from __future__ import annotations

import pytest

from persistence.database import Database
from tests.graph.compiler.conftest import Both, same
from tests.graph.compiler.data import Corpus, build
from tests.graph.conftest import Member, World

DEGREES = """
query ($direction: TraversalDirection) {
  knowledgeNodes(includeDeleted: false) { edges { node {
    label degree both: degree(direction: BOTH) out: degree(direction: OUT)
    given: degree(direction: $direction)
    outgoing { target { label degree(direction: IN) } }
  } } }
}
"""

DOCUMENT_COUNTS = """
query ($deleted: Boolean = false) {
  collections(orderBy: {field: NAME}, includeDeleted: $deleted) { edges { node {
    name documentCount direct: documentCount(includeDescendants: false)
    all: documentCount(includeDescendants: true)
    ancestors { name ancestors { name } documentCount(includeDescendants: true) }
    children { edges { node { name documentCount all: documentCount(includeDescendants: true) } } }
  } } }
}
"""

API_KEYS = """
query ($first: Int, $after: String) {
  apiKeys(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      __typename id name prefix scopes expiresAt lastUsedAt revokedAt createdAt
      owner { username }
    } }
  }
}
"""

AUDIT_EVENTS = """
query ($direction: OrderDirection!) {
  auditEvents(direction: $direction) {
    totalCount
    edges { cursor node {
      id action entityType entityId changes requestId clientAddress createdAt
      actor { username }
    } }
  }
}
"""


@pytest.fixture
async def corpus(world: World, database: Database) -> Corpus:
    return await build(world, database)


def _principals(world: World, outsider: Member) -> list[Member]:
    return [world.admin, world.editor, world.viewer, outsider]


async def test_degrees_answer_alike_in_every_direction(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    for member in _principals(world, outsider):
        for direction in ("IN", "OUT", None):
            variables = {"direction": direction} if direction else {}
            compiled, reference = await both(DEGREES, variables, token=member.token)
            same(compiled, reference)


async def test_document_counts_and_ancestors_answer_alike(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    for member in _principals(world, outsider):
        compiled, reference = await both(DOCUMENT_COUNTS, token=member.token)
        same(compiled, reference)
    compiled, reference = await both(DOCUMENT_COUNTS, {"deleted": True}, token=world.admin.token)
    same(compiled, reference)


async def test_api_keys_answer_alike_for_owners_and_admins(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    for member in _principals(world, outsider):
        compiled, reference = await both(API_KEYS, token=member.token)
        same(compiled, reference)
    page = await both(API_KEYS, {"first": 1}, token=world.admin.token)
    after = page[0].json["data"]["apiKeys"]["pageInfo"]["endCursor"]
    same(*await both(API_KEYS, {"first": 1, "after": after}, token=world.admin.token))
    assert page[0].json["data"]["apiKeys"]["edges"][0]["node"]["scopes"] == ["READ"]


async def test_audit_events_answer_alike_for_admins(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    for member in (world.admin, outsider):
        for direction in ("ASC", "DESC"):
            compiled, reference = await both(
                AUDIT_EVENTS, {"direction": direction}, token=member.token
            )
            same(compiled, reference)
    entity_ids = [
        e["node"]["entityId"]
        for e in compiled.json["data"]["auditEvents"]["edges"]  # the outsider's: none
    ]
    assert entity_ids == []


async def test_audit_events_of_non_admins_compile_to_the_reference_error(
    both: Both, world: World, corpus: Corpus
) -> None:
    compiled, reference = await both(AUDIT_EVENTS, {"direction": "ASC"}, token=world.viewer.token)

    same(compiled, reference)
    assert compiled.json["errors"][0]["extensions"]["code"] == "FORBIDDEN"
