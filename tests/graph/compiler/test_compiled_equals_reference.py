"""The compiled path answers exactly as the reference executor, for every principal."""

from __future__ import annotations

from typing import Any

import pytest

from persistence.database import Database
from tests.graph.compiler.conftest import Both, same
from tests.graph.compiler.data import Corpus, build
from tests.graph.conftest import World

PRINCIPALS = ("admin", "editor", "viewer")

DOCUMENTS = """
query Documents($first: Int, $order: DocumentOrder, $deleted: Boolean = false) {
  documents(first: $first, orderBy: $order, includeDeleted: $deleted) {
    __typename
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        __typename id title content contentType status visibility metadata version
        createdAt updatedAt deletedAt
        owner { id username fullName roles }
        collection { name color icon parent { name } owner { username } }
        tags { id name createdAt }
        annotations { startOffset endOffset body author { username } document { title } }
        knowledgeNodes { label nodeType properties hasEmbedding }
      }
    }
  }
}
"""

COLLECTIONS = """
query {
  collections(filter: {rootsOnly: true}) {
    edges { node {
      name visibility deletedAt owner { username }
      children(first: 5) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
        name documents(first: 1) { totalCount pageInfo { hasNextPage } edges { node { title } } }
      } } }
      documents(first: 2) { totalCount edges { cursor node { title owner { username } } } }
    } }
  }
}
"""

KNOWLEDGE = """
query ($order: KnowledgeEdgeOrder) {
  knowledgeNodes(orderBy: {field: LABEL, direction: DESC}) {
    edges { cursor node {
      label properties sourceDocument { title }
      outgoing { type weight target { label } }
      incoming { weight source { label } }
    } }
  }
  knowledgeEdges(orderBy: $order) {
    totalCount
    edges { cursor node { id type weight properties version source { label } target { label } } }
  }
}
"""

FRAGMENTS = """
query Shapes($withTags: Boolean!, $skipOwner: Boolean!) {
  first: documents(first: 3, orderBy: {field: TITLE, direction: DESC}) { ...page }
  again: documents(first: 3, orderBy: {field: TITLE, direction: DESC}) {
    edges { node { ... on Document { title } id } }
  }
  viewer { ...me }
  tags { edges { node { name documentCount } } }
}
fragment page on DocumentConnection {
  edges { node {
    title tags @include(if: $withTags) { name } owner @skip(if: $skipOwner) { username }
  } }
  edges { node { owner @skip(if: $skipOwner) { fullName } } }
}
fragment me on User {
  username email roles organization { id slug name createdAt }
  documents(first: 2) { edges { node { title } } }
}
"""


@pytest.fixture
async def corpus(world: World, database: Database) -> Corpus:
    return await build(world, database)


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_documents_answer_alike_for_every_principal(
    both: Both, world: World, corpus: Corpus, principal: str
) -> None:
    token = world.members[principal].token
    for order in ({"field": "TITLE"}, {"field": "CREATED_AT", "direction": "DESC"}, None):
        compiled, reference = await both(DOCUMENTS, {"first": 50, "order": order}, token=token)
        same(compiled, reference)


async def test_admins_list_deleted_rows_compiled(both: Both, world: World, corpus: Corpus) -> None:
    compiled, reference = await both(DOCUMENTS, {"deleted": True}, token=world.admin.token)

    same(compiled, reference)
    titles = [e["node"]["title"] for e in compiled.json["data"]["documents"]["edges"]]
    assert "Deleted" in titles


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_nested_connections_answer_alike(
    both: Both, world: World, corpus: Corpus, principal: str
) -> None:
    compiled, reference = await both(COLLECTIONS, token=world.members[principal].token)

    same(compiled, reference)


@pytest.mark.parametrize("principal", PRINCIPALS)
async def test_knowledge_graph_answers_alike(
    both: Both, world: World, corpus: Corpus, principal: str
) -> None:
    token = world.members[principal].token
    for order in (None, {"field": "WEIGHT"}, {"field": "WEIGHT", "direction": "DESC"}):
        compiled, reference = await both(KNOWLEDGE, {"order": order}, token=token)
        same(compiled, reference)


@pytest.mark.parametrize("principal", ("admin", "viewer"))
async def test_fragments_aliases_and_directives_answer_alike(
    both: Both, world: World, corpus: Corpus, principal: str
) -> None:
    token = world.members[principal].token
    for flags in ((True, False), (False, True)):
        variables = {"withTags": flags[0], "skipOwner": flags[1]}
        compiled, reference = await both(FRAGMENTS, variables, token=token)
        same(compiled, reference)


PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String, $order: DocumentOrder) {
  documents(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { title } }
  }
}
"""


async def _walk(both: Both, token: str, order: dict[str, Any], *, forwards: bool) -> list[str]:
    """Page through every document two at a time; each page must answer alike."""
    seen: list[str] = []
    cursor = None
    while True:
        if forwards:
            variables = {"first": 2, "after": cursor, "order": order}
        else:
            variables = {"last": 2, "before": cursor, "order": order}
        compiled, reference = await both(PAGE, variables, token=token)
        same(compiled, reference)
        page = compiled.json["data"]["documents"]
        titles = [e["node"]["title"] for e in page["edges"]]
        seen = seen + titles if forwards else titles + seen
        info = page["pageInfo"]
        if not (info["hasNextPage"] if forwards else info["hasPreviousPage"]):
            return seen
        cursor = info["endCursor"] if forwards else info["startCursor"]


@pytest.mark.parametrize(
    "order",
    [
        {"field": "TITLE"},
        {"field": "TITLE", "direction": "DESC"},
        {"field": "CREATED_AT"},
        {"field": "UPDATED_AT", "direction": "DESC"},
    ],
)
async def test_pagination_both_ways_with_cursors_answers_alike(
    both: Both, world: World, corpus: Corpus, order: dict[str, Any]
) -> None:
    forwards = await _walk(both, world.editor.token, order, forwards=True)
    backwards = await _walk(both, world.editor.token, order, forwards=False)

    assert forwards == backwards
    assert len(forwards) == 10  # the editor's documents and the shared ones, not the deleted


async def test_a_compiled_cursor_pages_the_reference_and_back(
    both: Both, world: World, corpus: Corpus
) -> None:
    order = {"field": "TITLE", "direction": "DESC"}
    compiled, _ = await both(PAGE, {"first": 4, "order": order}, token=world.viewer.token)
    end = compiled.json["data"]["documents"]["pageInfo"]["endCursor"]

    after = {"first": 3, "after": end, "order": order}
    compiled, reference = await both(PAGE, after, token=world.viewer.token)

    same(compiled, reference)
