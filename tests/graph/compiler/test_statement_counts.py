"""A compiled query runs ONE statement for its data, whatever its depth and page size."""

from __future__ import annotations

import httpx

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

    for sent in (baseline, small, large):
        assert sum(MARK in s for s in sent) == 1
    # everything else is the caller's authentication, the same as for `{ __typename }`
    others = [s for s in baseline if MARK not in s]
    assert [s for s in small if MARK not in s] == others
    assert [s for s in large if MARK not in s] == others
