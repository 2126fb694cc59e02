"""The `resources` connection: filters, orders, and organization isolation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graph.conftest import GraphQLClient, World
from tests.graph.resource.conftest import create_document, create_node, create_resource, link
from tests.graph.user.conftest import stranger  # noqa: F401 (fixture)

RESOURCES = """
query Resources($filter: ResourceFilter, $orderBy: ResourceOrder, $first: Int) {
  resources(first: $first, filter: $filter, orderBy: $orderBy) {
    totalCount
    edges { node { title } }
  }
}
"""

USE = "mutation Use($id: ID!) { resourceUse(input: {id: $id}) { __typename } }"


@pytest.fixture
async def shelf(gql: GraphQLClient, world: World) -> dict[str, Any]:
    """Three resources: a video (0.9, used twice), a dataset (0.4), a page (0.7, used once);
    the video linked to a document, the dataset to a node."""
    token = world.editor.token
    video = await create_resource(
        gql, token, title="Intro video", kind="VIDEO", qualityScore=0.9, description="welcome"
    )
    dataset = await create_resource(gql, token, title="Sales", kind="DATASET", qualityScore=0.4)
    page = await create_resource(gql, token, title="Handbook", description="Welcome aboard")
    document = await create_document(gql, token, "Guide")
    node = await create_node(gql, token, "Revenue")
    await link(gql, token, id=video["id"], documentIds=[document])
    await link(gql, token, id=dataset["id"], knowledgeNodeIds=[node])
    for id in (video["id"], video["id"], page["id"]):
        await gql(USE, {"id": id}, token=token)
    return {"document": document, "node": node}


async def titles(gql: GraphQLClient, world: World, **variables: Any) -> list[str]:
    result = await gql(RESOURCES, variables, token=world.viewer.token)
    assert "errors" not in result, result["errors"]
    return [e["node"]["title"] for e in result["data"]["resources"]["edges"]]


async def test_filters_narrow_the_list(
    gql: GraphQLClient, world: World, shelf: dict[str, Any]
) -> None:
    assert await titles(gql, world, filter={"kind": "VIDEO"}) == ["Intro video"]
    assert await titles(gql, world, filter={"textContains": "WELCOME"}) == [
        "Intro video",
        "Handbook",
    ]
    assert await titles(gql, world, filter={"documentId": shelf["document"]}) == ["Intro video"]
    assert await titles(gql, world, filter={"knowledgeNodeId": shelf["node"]}) == ["Sales"]
    assert await titles(gql, world, filter={"minQuality": 0.5}) == ["Intro video", "Handbook"]


async def test_resources_order_by_quality_or_usage(
    gql: GraphQLClient, world: World, shelf: dict[str, Any]
) -> None:
    by_quality = {"field": "QUALITY_SCORE", "direction": "DESC"}
    by_usage = {"field": "USAGE_COUNT", "direction": "DESC"}

    assert await titles(gql, world, orderBy=by_quality) == ["Intro video", "Handbook", "Sales"]
    assert await titles(gql, world, orderBy=by_usage) == ["Intro video", "Handbook", "Sales"]
    assert await titles(gql, world, orderBy={"field": "USAGE_COUNT"}, first=1) == ["Sales"]


async def test_another_organization_sees_none_of_them(
    gql: GraphQLClient,
    world: World,
    shelf: dict[str, Any],
    stranger: World,  # noqa: F811
) -> None:
    result = await gql(RESOURCES, token=stranger.editor.token)

    assert result["data"]["resources"] == {"totalCount": 0, "edges": []}


async def test_a_filter_id_of_another_type_is_bad_user_input(
    gql: GraphQLClient, world: World, shelf: dict[str, Any]
) -> None:
    result = await gql(
        RESOURCES, {"filter": {"documentId": shelf["node"]}}, token=world.viewer.token
    )

    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
