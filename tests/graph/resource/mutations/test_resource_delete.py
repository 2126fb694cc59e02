from __future__ import annotations

from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only
from tests.graph.resource.conftest import create_document, create_resource, link

DELETE = """
mutation DeleteResource($input: ResourceDeleteInput!) {
  resourceDelete(input: $input) {
    __typename
    ... on ResourceDeleteSuccess { resource { deletedAt } }
    ... on Error { message }
  }
}
"""

LISTED = """
query DocumentResources($id: ID!) {
  resources { totalCount }
  node(id: $id) { ... on Document { resources { title } } }
}
"""


async def test_the_owner_deletes_a_resource_and_it_leaves_lists_and_links(
    gql: GraphQLClient, world: World
) -> None:
    resource = await create_resource(gql, world.editor.token)
    document = await create_document(gql, world.editor.token, "Guide")
    await link(gql, world.editor.token, id=resource["id"], documentIds=[document])

    result = await gql(DELETE, {"input": {"id": resource["id"]}}, token=world.editor.token)

    assert only(result, "resourceDelete")["resource"]["deletedAt"] is not None
    listed = await gql(LISTED, {"id": document}, token=world.viewer.token)
    assert listed["data"] == {"resources": {"totalCount": 0}, "node": {"resources": []}}


async def test_another_editor_may_not_delete_it(gql: GraphQLClient, world: World) -> None:
    resource = await create_resource(gql, world.admin.token)

    result = await gql(DELETE, {"input": {"id": resource["id"]}}, token=world.editor.token)

    assert only(result, "resourceDelete")["__typename"] == "PermissionDenied"


async def test_deleting_twice_is_not_found(gql: GraphQLClient, world: World) -> None:
    resource = await create_resource(gql, world.editor.token)
    await gql(DELETE, {"input": {"id": resource["id"]}}, token=world.editor.token)

    again = await gql(DELETE, {"input": {"id": resource["id"]}}, token=world.admin.token)

    assert only(again, "resourceDelete")["__typename"] == "NotFound"
