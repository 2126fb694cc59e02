"""A compiled query runs ONE statement for its data, whatever its depth and page size: after
one to authenticate a new caller, or together with it for a caller seen before."""

from __future__ import annotations

import httpx
from strawberry.relay import to_base64

from persistence.database import Database
from tests.fixtures.statements import StatementCounter
from tests.graph.compiler.data import build
from tests.graph.conftest import World

MARK = "/* khub:compiled */"

# four levels of lists: collections > children > documents > tags and annotations
DEEP = """
query ($first: Int, $nested: Int!) {
  collections(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      name owner { username roles }
      children(first: $nested) { totalCount edges { node {
        name
        documents(first: $nested) { totalCount edges { cursor node {
          title owner { username roles } tags { name documentCount }
          annotations { body author { username } }
        } } }
      } } }
    } }
  }
}
"""

TRIVIAL = "{ __typename }"


async def _run(
    client: httpx.AsyncClient,
    statements: StatementCounter,
    query: str,
    variables: dict[str, int],
    token: str,
) -> list[str]:
    statements.reset()
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.headers["x-khub-execution"] == "compiled"
    assert "errors" not in response.json()
    return list(statements.statements)


async def test_a_deep_compiled_query_runs_one_statement_for_its_data(
    client: httpx.AsyncClient, world: World, database: Database, statements: StatementCounter
) -> None:
    await build(world, database)
    token = world.editor.token
    baseline = await _run(client, statements, TRIVIAL, {}, token)
    small = await _run(client, statements, DEEP, {"first": 1, "nested": 1}, token)
    large = await _run(client, statements, DEEP, {"first": 100, "nested": 100}, token)

    # a new caller: the statement that authenticates and confines the snapshot, then the data
    authentication, data = baseline
    assert "khub_authenticate" in authentication
    assert MARK in data
    # a known caller: one statement authenticates again and reads (graph/compiler/known_callers)
    for sent in (small, large):
        (both,) = sent
        assert "khub_authenticate" in both and MARK in both


# everything this branch added, in one operation: still one statement for the data
WIDE = """
query ($ids: [ID!]!, $from: ID!, $to: ID!) {
  nodes(ids: $ids) {
    id ... on Collection { name ancestors { name } documentCount(includeDescendants: true) }
  }
  searchDocuments(query: "plan") { totalCount edges { node { rank highlight document { title } } } }
  shortestPath(fromId: $from, toId: $to) { length nodes { label degree } }
  knowledgeSubgraph(rootIds: [$from]) { nodes { label } edges { weight } }
  apiKeys { edges { node { name scopes } } }
  knowledgeNodes { edges { node {
    neighbors(depth: 2) { totalCount edges { node { distance } } }
  } } }
}
"""


async def test_node_search_walks_and_aggregates_run_one_statement_for_their_data(
    client: httpx.AsyncClient, world: World, database: Database, statements: StatementCounter
) -> None:
    corpus = await build(world, database)
    nodes = corpus.ids["nodes"]
    variables = {
        "ids": [to_base64("Collection", corpus.ids["beta"]), world.editor.global_id],
        "from": to_base64("KnowledgeNode", nodes[0].id),
        "to": to_base64("KnowledgeNode", nodes[2].id),
    }

    sent = await _run(client, statements, WIDE, variables, world.editor.token)

    authentication, data = sent
    assert "khub_authenticate" in authentication
    assert MARK in data


LITERAL_SIZES = (
    "{ collections(first: 7) { edges { node { documents(first: 3) { totalCount } } } } }"
)
VARIABLE_SIZES = """
query ($first: Int) { collections(first: $first) { edges { node { documents(first: 3) {
  totalCount } } } } }
"""


async def test_page_sizes_written_in_the_document_are_constants_of_its_statement(
    client: httpx.AsyncClient, world: World, statements: StatementCounter
) -> None:
    """PostgreSQL prices a generic plan with a bound LIMIT as if it read a tenth of the rows,
    so it would plan every execution afresh: a literal page size must stay literal."""
    token = world.editor.token
    *_, literal = await _run(client, statements, LITERAL_SIZES, {}, token)
    *_, variable = await _run(client, statements, VARIABLE_SIZES, {"first": 7}, token)

    assert "LIMIT 7" in literal and "LIMIT 3" in literal
    assert "LIMIT 7" not in variable and "LIMIT 3" in variable


SEARCH = "query ($q: String!) { searchDocuments(query: $q, first: 4) { totalCount } }"


async def test_a_literal_page_size_stays_literal_beside_other_variables(
    client: httpx.AsyncClient, world: World, statements: StatementCounter
) -> None:
    *_, search = await _run(client, statements, SEARCH, {"q": "plan"}, world.editor.token)

    assert "LIMIT 4 + 1" in search
