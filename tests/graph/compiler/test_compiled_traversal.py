"""`shortestPath` and `knowledgeSubgraph` compile: the walks run inside the one statement and
answer exactly as the reference's, for every principal."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import to_base64

from persistence.database import Database
from tests.graph.compiler.conftest import Both, same
from tests.graph.compiler.data import Corpus, build
from tests.graph.conftest import Member, World

PATH = """
query ($from: ID!, $to: ID!, $depth: Int, $direction: TraversalDirection, $types: [String!]) {
  shortestPath(fromId: $from, toId: $to, maxDepth: $depth, direction: $direction,
               edgeTypes: $types) {
    __typename length totalWeight
    nodes { label degree }
    edges { type weight source { label } }
  }
}
"""

SUBGRAPH = """
query ($roots: [ID!]!, $depth: Int, $limit: Int, $types: [String!]) {
  knowledgeSubgraph(rootIds: $roots, depth: $depth, limit: $limit, edgeTypes: $types) {
    truncated
    nodes { id label }
    edges { type weight source { label } target { label } }
  }
}
"""


@pytest.fixture
async def corpus(world: World, database: Database) -> Corpus:
    return await build(world, database)


def _node(corpus: Corpus, index: int) -> str:
    return to_base64("KnowledgeNode", corpus.ids["nodes"][index].id)


def _paths(corpus: Corpus) -> list[dict[str, Any]]:
    a, b, c, d = (_node(corpus, i) for i in range(4))
    return [
        {"from": a, "to": c},
        {"from": a, "to": c, "types": ["dep"]},
        {"from": a, "to": c, "types": ["rel"], "depth": 1},
        {"from": c, "to": a},
        {"from": c, "to": a, "direction": "IN"},
        {"from": c, "to": a, "direction": "BOTH", "types": []},
        {"from": a, "to": a},
        {"from": a, "to": d},  # deleted
        {"from": b, "to": c, "depth": None, "direction": None},
    ]


async def test_shortest_paths_answer_alike_for_every_principal(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    for member in (world.admin, world.viewer, outsider):
        for variables in _paths(corpus):
            compiled, reference = await both(PATH, variables, token=member.token)
            same(compiled, reference)


async def test_subgraphs_answer_alike_for_every_principal(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    a, b, c, d = (_node(corpus, i) for i in range(4))
    cases: list[dict[str, Any]] = [
        {"roots": [a]},
        {"roots": [a], "depth": 1},
        {"roots": [c, a], "limit": 2},
        {"roots": [a], "limit": 0},
        {"roots": [b], "types": ["dep"]},
        {"roots": [d]},
        {"roots": []},
        {"roots": [a], "depth": None, "limit": None, "types": None},
    ]
    for member in (world.editor, outsider):
        for variables in cases:
            compiled, reference = await both(SUBGRAPH, variables, token=member.token)
            same(compiled, reference)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (PATH, {"depth": 7}),
        (PATH, {"depth": 0}),
        (SUBGRAPH, {"depth": 5}),
        (SUBGRAPH, {"limit": 1001}),
        (SUBGRAPH, {"roots": "wrong type"}),
    ],
)
async def test_bad_walk_arguments_fall_back_to_the_reference_error(
    both: Both, world: World, corpus: Corpus, query: str, variables: dict[str, Any]
) -> None:
    a = _node(corpus, 0)
    given = {"from": a, "to": a, "roots": [a], **variables}
    if given["roots"] == "wrong type":
        given["roots"] = [to_base64("Tag", corpus.ids["tags"][0])]
    compiled, reference = await both(query, given, token=world.viewer.token)

    assert compiled.execution == "reference"
    assert compiled.json == reference.json
    assert compiled.json["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


NEIGHBORS = """
query ($depth: Int, $direction: TraversalDirection, $edgeTypes: [String!],
       $nodeTypes: [String!], $first: Int, $after: String) {
  knowledgeNodes(orderBy: {field: LABEL}) { edges { node {
    label
    neighbors(depth: $depth, direction: $direction, edgeTypes: $edgeTypes,
              nodeTypes: $nodeTypes, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        __typename distance node { label } via { type weight }
      } }
    }
  } } }
}
"""

NESTED_NEIGHBORS = """
{
  knowledgeNodes { edges { node { label neighbors(depth: 2) { edges { node {
    node { label neighbors(direction: IN) { totalCount edges { node { node { label } } } } }
  } } } } } }
}
"""


async def test_neighbors_answer_alike_for_every_principal(
    both: Both, world: World, corpus: Corpus, outsider: Member
) -> None:
    cases: list[dict[str, Any]] = [
        {},
        {"depth": 2},
        {"depth": 4, "direction": "OUT"},
        {"depth": 2, "direction": "IN", "edgeTypes": ["dep"]},
        {"depth": 3, "nodeTypes": ["person"], "first": 1},
        {"first": 0},
        {"edgeTypes": [], "nodeTypes": []},
        {"depth": None, "direction": None, "first": None},
    ]
    for member in (world.viewer, outsider):
        for variables in cases:
            compiled, reference = await both(NEIGHBORS, variables, token=member.token)
            same(compiled, reference)
    compiled, reference = await both(NESTED_NEIGHBORS, token=world.admin.token)
    same(compiled, reference)


async def test_paging_neighbors_with_their_cursors_answers_alike(
    both: Both, world: World, corpus: Corpus
) -> None:
    compiled, _ = await both(NEIGHBORS, {"depth": 3, "first": 1}, token=world.editor.token)
    pages = compiled.json["data"]["knowledgeNodes"]["edges"]
    cursors = [p["node"]["neighbors"]["pageInfo"]["endCursor"] for p in pages]

    for cursor in [c for c in cursors if c]:
        variables = {"depth": 3, "first": 1, "after": cursor}
        compiled, reference = await both(NEIGHBORS, variables, token=world.editor.token)
        same(compiled, reference)


@pytest.mark.parametrize(
    "variables", [{"depth": 5}, {"depth": 0}, {"first": 101}, {"after": "bm90IGEgY3Vyc29y"}]
)
async def test_bad_neighbor_arguments_fall_back_to_the_reference_error(
    both: Both, world: World, corpus: Corpus, variables: dict[str, Any]
) -> None:
    compiled, reference = await both(NEIGHBORS, variables, token=world.viewer.token)

    assert compiled.execution == "reference"
    assert compiled.json == reference.json
    assert compiled.json["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_bad_root_id_is_refused_even_when_no_field_reads_the_walk(
    both: Both, world: World, corpus: Corpus
) -> None:
    skipped = """query ($roots: [ID!]!) {
      knowledgeSubgraph(rootIds: $roots) { truncated @include(if: false) }
    }"""
    tag = to_base64("Tag", corpus.ids["tags"][0])

    compiled, reference = await both(skipped, {"roots": [tag]}, token=world.viewer.token)

    assert compiled.execution == "reference"
    assert compiled.json == reference.json
    assert compiled.json["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
