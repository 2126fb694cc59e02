"""`node` and `nodes` compile: the type each global id names is dispatched inside the
statement, and the answer is the reference's for every principal."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from strawberry.relay import to_base64

from persistence.database import Database
from tests.graph.compiler.conftest import Both, same
from tests.graph.compiler.data import Corpus, build
from tests.graph.conftest import Member, World

NODES = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Document { title visibility owner { username } tags { name } }
    ... on Collection { name parent { name } }
    ... on User { username fullName }
    ... on KnowledgeNode { label outgoing { weight } }
    ... on KnowledgeEdge { type weight }
    ... on Tag { name documentCount }
    ... on Annotation { body }
    ... on Organization { slug }
    ... on AuditEvent { action changes actor { username } }
    ... on ApiKey { name prefix owner { username } }
  }
}
"""

NODE = """
query ($id: ID!) {
  node(id: $id) { id ... on Document { title } ... on User { username } }
}
"""


@pytest.fixture
async def corpus(world: World, database: Database) -> Corpus:
    return await build(world, database)


def _ids(world: World, corpus: Corpus) -> list[str]:
    """One id of every type, PRIVATE and deleted rows, an id under the wrong type, an unknown
    type, a payload that is no uuid, and a repeat."""
    ids = corpus.ids
    documents = ids["documents"]
    return [
        to_base64("Document", documents[0].id),
        to_base64("Document", documents[4].id),  # PRIVATE, the editor's
        to_base64("Document", documents[5].id),  # deleted
        to_base64("Collection", ids["beta"]),
        to_base64("Collection", ids["secret"]),  # PRIVATE
        to_base64("Collection", ids["gone"]),  # deleted
        to_base64("User", world.editor.user.id),
        to_base64("User", world.viewer.user.id),
        to_base64("KnowledgeNode", ids["nodes"][0].id),
        to_base64("Tag", ids["tags"][0]),
        to_base64("Organization", world.organization.id),
        to_base64("AuditEvent", ids["events"][0]),
        to_base64("ApiKey", ids["keys"][0]),
        to_base64("Document", world.editor.user.id),  # a user's id as a document's
        to_base64("Nope", documents[0].id),
        to_base64("Document", "not-a-uuid"),
        to_base64("Document", documents[0].id),
    ]


def _principals(world: World, outsider: Member) -> list[Member]:
    return [world.admin, world.editor, world.viewer, outsider]


async def test_nodes_of_every_type_answer_alike_for_every_principal(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    for member in _principals(world, outsider):
        compiled, reference = await both(NODES, {"ids": _ids(world, corpus)}, token=member.token)
        same(compiled, reference)


async def test_node_answers_alike_for_each_id(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    for member in (world.viewer, outsider):
        for id in _ids(world, corpus):
            compiled, reference = await both(NODE, {"id": id}, token=member.token)
            same(compiled, reference)


async def test_an_empty_list_of_ids_compiles_to_an_empty_list(
    both: Both, world: World, corpus: Corpus
) -> None:
    compiled, reference = await both(NODES, {"ids": []}, token=world.viewer.token)

    same(compiled, reference)
    assert compiled.json == {"data": {"nodes": []}}


async def test_a_malformed_id_falls_back_to_the_reference_error(
    both: Both, world: World, corpus: Corpus
) -> None:
    compiled, reference = await both(NODE, {"id": "not-a-global-id"}, token=world.viewer.token)

    assert compiled.execution == "reference"
    assert compiled.json == reference.json
    assert compiled.json["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_type_name_that_is_no_node_falls_back(
    both: Both, world: World, corpus: Corpus
) -> None:
    id: Any = to_base64("PageInfo", corpus.ids["beta"])
    compiled, reference = await both(NODE, {"id": id}, token=world.viewer.token)

    assert compiled.execution == "reference"
    assert compiled.json == reference.json


async def test_lists_of_ids_of_any_length_share_one_plan(
    both: Both, app: Any, world: World, corpus: Corpus
) -> None:
    query = f"# {uuid.uuid4()}\n{NODES}"  # a fresh text: the app's caches live on
    ids = _ids(world, corpus)
    for size in (1, 2, 5, len(ids)):
        compiled, reference = await both(query, {"ids": ids[:size]}, token=world.admin.token)
        same(compiled, reference)

    view = next(r for r in app.routes if getattr(r, "path", None) == "/graphql").app
    operation = view.compiled.documents.get(query, None)
    assert len(operation.plans) == 1
