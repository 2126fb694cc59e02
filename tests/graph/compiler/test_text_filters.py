"""Text filters compile with their value bound: `search`, `nameContains`, `titleContains`,
`labelContains`, given or empty, answer exactly as the reference does."""

from __future__ import annotations

import pytest

from tests.graph.compiler.conftest import Both, same
from tests.graph.conftest import World

USERS = """
query($text: String) {
  users(first: 10, filter: {search: $text}) { totalCount edges { node { username } } }
}
"""
COLLECTIONS = """
query($text: String) {
  collections(first: 10, filter: {nameContains: $text}) { totalCount edges { node { name } } }
}
"""
DOCUMENTS = """
query($text: String) {
  documents(first: 10, filter: {titleContains: $text}) { totalCount edges { node { title } } }
}
"""
NODES = """
query($text: String) {
  knowledgeNodes(first: 10, filter: {labelContains: $text}) { edges { node { label } } }
}
"""


@pytest.mark.parametrize("query", [USERS, COLLECTIONS, DOCUMENTS, NODES])
@pytest.mark.parametrize("text", ["a", "Ed", "", "ᔯá@E]"])
async def test_text_filters_compile_and_answer_alike(
    both: Both, world: World, query: str, text: str
) -> None:
    compiled, reference = await both(query, {"text": text}, token=world.admin.token)
    same(compiled, reference)


CREATE = "mutation ($title: String!) { documentCreate(input: {title: $title}) { __typename } }"


@pytest.mark.parametrize(("text", "matches"), [("100%", ["100% done"]), ("a_b", ["a_b"])])
async def test_wildcards_in_a_filter_match_only_themselves(
    both: Both, world: World, text: str, matches: list[str]
) -> None:
    for title in ("100% done", "1000 things", "a_b", "axb"):
        created = await both.send(both.reference, CREATE, {"title": title}, world.editor.token)
        assert created.json["data"]["documentCreate"]["__typename"] == "DocumentCreateSuccess"

    compiled, reference = await both(DOCUMENTS, {"text": text}, token=world.admin.token)

    same(compiled, reference)
    titles = [e["node"]["title"] for e in compiled.json["data"]["documents"]["edges"]]
    assert titles == matches
