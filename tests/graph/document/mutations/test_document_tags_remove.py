from __future__ import annotations

from persistence.collection.models import Visibility
from persistence.database import Database
from persistence.document.models import DocumentTag, Tag
from tests.graph.conftest import GraphQLClient, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import audit_events, gid, only

TAGS_REMOVE = """
mutation TagsRemove($input: DocumentTagsRemoveInput!) {
  documentTagsRemove(input: $input) {
    __typename
    ... on DocumentTagsRemoveSuccess { document { tags { name } } }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""


async def test_an_editor_removes_tags_which_stay_for_other_documents(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    document = await given.document(by=world.admin)
    ops, _ = await given.tagged(document, "ops", "oncall")

    result = await gql(
        TAGS_REMOVE,
        {"input": {"id": gid("Document", document.id), "tagIds": [gid("Tag", ops.id)]}},
        token=world.editor.token,
    )

    payload = only(result, "documentTagsRemove")
    assert payload["document"]["tags"] == [{"name": "oncall"}]
    assert await given.stored(Tag) == 2
    (event,) = await audit_events(database, document.id)
    assert event.action == "documentTagsRemove"
    assert event.changes == {"tags": {"old": ["oncall", "ops"], "new": ["oncall"]}}


async def test_a_tag_the_document_does_not_have_is_ignored(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()
    (other,) = await given.tagged(await given.document("Other"), "other")

    result = await gql(
        TAGS_REMOVE,
        {"input": {"id": gid("Document", document.id), "tagIds": [gid("Tag", other.id)]}},
        token=world.editor.token,
    )

    assert only(result, "documentTagsRemove")["document"]["tags"] == []
    assert await given.stored(DocumentTag) == 1


async def test_a_private_document_of_someone_else_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(by=world.admin, visibility=Visibility.PRIVATE)
    (ops,) = await given.tagged(document, "ops")

    result = await gql(
        TAGS_REMOVE,
        {"input": {"id": gid("Document", document.id), "tagIds": [gid("Tag", ops.id)]}},
        token=world.editor.token,
    )

    assert only(result, "documentTagsRemove")["__typename"] == "NotFound"
    assert await given.stored(DocumentTag) == 1


async def test_an_id_that_is_not_a_tag_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()
    await given.tagged(document, "ops")

    result = await gql(
        TAGS_REMOVE,
        {"input": {"id": gid("Document", document.id), "tagIds": [world.editor.global_id]}},
        token=world.editor.token,
    )

    payload = only(result, "documentTagsRemove")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "tagIds")
    assert await given.stored(DocumentTag) == 1


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    document = await given.document()
    (ops,) = await given.tagged(document, "ops")

    result = await gql(
        TAGS_REMOVE,
        {"input": {"id": gid("Document", document.id), "tagIds": [gid("Tag", ops.id)]}},
        token=world.viewer.token,
    )

    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.stored(DocumentTag) == 1
