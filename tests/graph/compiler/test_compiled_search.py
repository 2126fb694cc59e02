"""`searchDocuments` compiles: ranks, snippets with the caller's marks, rank-stable cursors
and the filter answer exactly as the reference's search does."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import to_base64

from persistence.database import Database
from tests.graph.compiler.conftest import Both, same
from tests.graph.compiler.data import Corpus, build
from tests.graph.conftest import Member, World

SEARCH = """
query ($query: String!, $first: Int, $after: String, $filter: SearchFilter,
       $highlight: HighlightOptions) {
  searchDocuments(query: $query, first: $first, after: $after, filter: $filter,
                  highlight: $highlight) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      __typename rank highlight titleHighlight
      document { id title visibility owner { username } }
    } }
  }
}
"""

QUERIES = ["plan", "same", '"release notes"', "plan -secret", "plan OR unicode", "the", "zzz"]


@pytest.fixture
async def corpus(world: World, database: Database) -> Corpus:
    return await build(world, database)


def _principals(world: World, outsider: Member) -> list[Member]:
    return [world.admin, world.editor, world.viewer, outsider]


async def test_searches_answer_alike_for_every_principal(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    for member in _principals(world, outsider):
        for query in QUERIES:
            compiled, reference = await both(SEARCH, {"query": query}, token=member.token)
            same(compiled, reference)


async def test_paging_a_search_with_ties_in_rank_answers_alike(
    both: Both, world: World, corpus: Corpus
) -> None:
    after = None
    seen: list[str] = []
    while True:
        variables = {"query": "plan", "first": 1, "after": after}
        compiled, reference = await both(SEARCH, variables, token=world.editor.token)
        same(compiled, reference)
        page = compiled.json["data"]["searchDocuments"]
        seen += [e["node"]["document"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(seen) == len(set(seen)) == 4


async def test_filters_and_marks_answer_alike(both: Both, world: World, corpus: Corpus) -> None:
    ids = corpus.ids
    filters: list[Any] = [
        {"collectionId": to_base64("Collection", ids["alpha"])},
        {"collectionId": to_base64("Collection", ids["alpha"]), "includeDescendants": False},
        {"tagIds": [to_base64("Tag", ids["tags"][0])]},
        {"tagIds": []},
        {"ownerId": world.editor.global_id, "status": "DRAFT"},
    ]
    marks = {"startMark": "[", "stopMark": "]", "maxWords": 3, "maxFragments": 0}
    for filter in filters:
        variables = {"query": "plan", "filter": filter, "highlight": marks}
        compiled, reference = await both(SEARCH, variables, token=world.admin.token)
        same(compiled, reference)


@pytest.mark.parametrize(
    "variables",
    [
        {"query": "plan", "first": 101},
        {"query": "plan", "after": "bm90IGEgY3Vyc29y"},
        {"query": "x" * 1001},
        {"query": "plan", "highlight": {"maxWords": 1}},
        {"query": "plan", "filter": {"ownerId": to_base64("Tag", "0" * 32)}},
    ],
)
async def test_bad_search_arguments_fall_back_to_the_reference_error(
    both: Both, world: World, corpus: Corpus, variables: dict[str, Any]
) -> None:
    compiled, reference = await both(SEARCH, variables, token=world.viewer.token)

    assert compiled.execution == "reference"
    assert compiled.json == reference.json
    assert compiled.json["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
