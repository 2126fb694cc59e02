"""Resources compile: the `resources` connection with its filters and orders, and the
declared relations both ways (`Document.resources`, `KnowledgeNode.resources`,
`Resource.documents`, `Resource.knowledgeNodes`), exactly as the reference answers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graph.compiler.conftest import Both, same
from tests.graph.conftest import GraphQLClient, World
from tests.graph.resource.conftest import create_document, create_node, create_resource, link

RESOURCES = """
query CompiledResources($filter: ResourceFilter, $orderBy: ResourceOrder) {
  resources(first: 10, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id url kind title description qualityScore usageCount version createdAt
      owner { username }
      documents { title resources { title } }
      knowledgeNodes { label resources { kind } }
    } }
  }
}
"""

DOCUMENTS = """
query CompiledDocumentResources {
  documents(first: 10) { edges { node { title resources { title qualityScore } } } }
  knowledgeNodes(first: 10) { edges { node { label resources { title usageCount } } } }
}
"""


@pytest.fixture
async def linked(gql: GraphQLClient, world: World) -> dict[str, Any]:
    token = world.editor.token
    video = await create_resource(gql, token, title="Video", kind="VIDEO", qualityScore=0.8)
    page = await create_resource(gql, token, title="Page", qualityScore=0.3)
    shared = await create_document(gql, token, "Shared")
    private = await create_document(gql, world.admin.token, "Private", visibility="PRIVATE")
    node = await create_node(gql, token, "Concept")
    await link(gql, world.admin.token, id=video["id"], documentIds=[shared, private])
    await link(gql, token, id=page["id"], documentIds=[shared], knowledgeNodeIds=[node])
    return {"document": shared, "node": node}


@pytest.mark.parametrize("role", ["viewer", "admin"])
@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"orderBy": {"field": "QUALITY_SCORE", "direction": "DESC"}},
        {"orderBy": {"field": "USAGE_COUNT"}, "filter": {"kind": "WEB_PAGE"}},
        {"filter": {"textContains": "vid", "minQuality": 0.5}},
    ],
)
async def test_resources_compile_like_the_reference(
    both: Both, world: World, linked: dict[str, Any], role: str, variables: dict[str, Any]
) -> None:
    token = world.members[role].token

    same(*await both(RESOURCES, variables, token=token))


async def test_filters_by_link_compile(both: Both, world: World, linked: dict[str, Any]) -> None:
    for filter in ({"documentId": linked["document"]}, {"knowledgeNodeId": linked["node"]}):
        same(*await both(RESOURCES, {"filter": filter}, token=world.viewer.token))


async def test_document_and_node_resources_compile(
    both: Both, world: World, linked: dict[str, Any]
) -> None:
    compiled, reference = await both(DOCUMENTS, token=world.viewer.token)

    same(compiled, reference)
    titles = {
        e["node"]["title"]: [r["title"] for r in e["node"]["resources"]]
        for e in compiled.json["data"]["documents"]["edges"]
    }
    assert titles == {"Shared": ["Video", "Page"]}
