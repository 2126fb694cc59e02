from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only, row_id
from tests.graph.resource.conftest import create_document, create_node, create_resource, link

UNLINK = """
mutation UnlinkResource($input: ResourceLinksInput!) {
  resourceUnlink(input: $input) {
    __typename
    ... on ResourceLinksSuccess { resource { documents { title } knowledgeNodes { label } } }
  }
}
"""

RELATED = """
query ResourceRelations($document: ID!, $node: ID!) {
  document: node(id: $document) { ... on Document { resources { title } } }
  knowledgeNode: node(id: $node) { ... on KnowledgeNode { resources { title } } }
}
"""


async def test_links_show_on_the_resource_the_document_and_the_node(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    resource = await create_resource(gql, world.editor.token, title="Intro video")
    document = await create_document(gql, world.editor.token, "Guide")
    node = await create_node(gql, world.editor.token, "Onboarding")

    payload = await link(
        gql, world.editor.token, id=resource["id"], documentIds=[document], knowledgeNodeIds=[node]
    )
    again = await link(gql, world.editor.token, id=resource["id"], documentIds=[document])

    expected = {"documents": [{"title": "Guide"}], "knowledgeNodes": [{"label": "Onboarding"}]}
    assert payload["resource"] == again["resource"] == expected
    related = await gql(RELATED, {"document": document, "node": node}, token=world.viewer.token)
    assert related["data"] == {
        "document": {"resources": [{"title": "Intro video"}]},
        "knowledgeNode": {"resources": [{"title": "Intro video"}]},
    }
    events = await audit_events(database, row_id(resource["id"]))
    assert events[1].action == "resourceLink"
    assert events[1].changes["document_ids"] == {"old": None, "new": [str(row_id(document))]}


async def test_unlinking_takes_the_links_away(gql: GraphQLClient, world: World) -> None:
    resource = await create_resource(gql, world.editor.token)
    document = await create_document(gql, world.editor.token, "Guide")
    node = await create_node(gql, world.editor.token, "Onboarding")
    ids = {"id": resource["id"], "documentIds": [document], "knowledgeNodeIds": [node]}
    await link(gql, world.editor.token, **ids)

    result = await gql(UNLINK, {"input": ids}, token=world.editor.token)

    assert only(result, "resourceUnlink")["resource"] == {"documents": [], "knowledgeNodes": []}


async def test_a_document_the_caller_cannot_see_is_not_found_and_nothing_is_linked(
    gql: GraphQLClient, world: World
) -> None:
    resource = await create_resource(gql, world.editor.token)
    visible = await create_document(gql, world.editor.token, "Shared")
    private = await create_document(gql, world.admin.token, "Secret", visibility="PRIVATE")

    payload = await link(gql, world.editor.token, id=resource["id"], documentIds=[visible, private])

    assert payload["__typename"] == "NotFound" and payload["id"] == private
    check = await link(gql, world.editor.token, id=resource["id"])
    assert check["resource"]["documents"] == []


async def test_an_id_of_another_type_is_a_validation_error(
    gql: GraphQLClient, world: World
) -> None:
    resource = await create_resource(gql, world.editor.token)

    payload = await link(
        gql, world.editor.token, id=resource["id"], knowledgeNodeIds=[resource["id"]]
    )

    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "knowledgeNodeIds"
