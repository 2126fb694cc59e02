"""No N+1 over resources: on either path the statements depend on the operation's shape,
never on the page size."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from persistence.database import Database
from persistence.document.repository import DocumentRepository
from persistence.knowledge.repository import KnowledgeNodeRepository
from persistence.resource.repository import ResourceRepository
from persistence.scope import Scope
from tests.fixtures.statements import StatementCounter
from tests.graph.compiler.conftest import reference_app  # noqa: F401 (fixture)
from tests.graph.conftest import GraphQLClient, World

ROWS = 110

RESOURCES = """
query ResourcePage($first: Int) {
  resources(first: $first, orderBy: {field: QUALITY_SCORE, direction: DESC}) {
    totalCount
    edges { node {
      title owner { username }
      documents { title resources { title } }
      knowledgeNodes { label resources { kind } }
    } }
  }
}
"""


@pytest.fixture
async def shelf(world: World, database: Database) -> None:
    scope = Scope.system(world.organization.id)
    owner = world.editor.user.id
    async with database.transaction() as session:
        documents = await DocumentRepository(session, scope).create_many(
            [{"title": f"D{i:03d}", "owner_id": owner} for i in range(ROWS)]
        )
        nodes = await KnowledgeNodeRepository(session, scope).create_many(
            [{"label": f"N{i:03d}", "node_type": "concept"} for i in range(ROWS)]
        )
        resources = ResourceRepository(session, scope)
        created = await resources.create_many(
            [
                {"title": f"R{i:03d}", "kind": "OTHER", "url": f"https://r.example/{i}",
                 "quality_score": (i % 10) / 10, "owner_id": owner}
                for i in range(ROWS)
            ]
        )  # fmt: skip
        for i, resource in enumerate(created):
            await resources.link(
                resource.id, document_ids=[documents[i].id], node_ids=[nodes[i].id]
            )


async def _count(
    gql: GraphQLClient, statements: StatementCounter, first: int, token: str
) -> tuple[int, dict[str, Any]]:
    await gql(RESOURCES, {"first": first}, token=token)
    statements.reset()
    result = await gql(RESOURCES, {"first": first}, token=token)
    assert "errors" not in result, result["errors"]
    return statements.count, result["data"]


@pytest.mark.parametrize("path", ["compiled", "reference"])
async def test_resource_statements_do_not_grow_with_the_page_size(
    client: httpx.AsyncClient,
    reference_app: Any,  # noqa: F811
    world: World,
    shelf: None,
    statements: StatementCounter,
    path: str,
) -> None:
    transport = httpx.ASGITransport(app=reference_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        gql = GraphQLClient(client if path == "compiled" else other)
        small, small_data = await _count(gql, statements, 1, world.viewer.token)
        large, large_data = await _count(gql, statements, 100, world.viewer.token)

    assert len(small_data["resources"]["edges"]) == 1
    assert len(large_data["resources"]["edges"]) == 100
    assert small == large, f"{small} statements at first=1, {large} at first=100"
