from __future__ import annotations

from persistence.database import Database
from persistence.document.models import Annotation, Document, DocumentTag, Tag
from tests.graph.conftest import GraphQLClient, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import audit_events, gid, only

PURGE = """
mutation Purge($input: DocumentPurgeInput!) {
  documentPurge(input: $input) {
    __typename
    ... on DocumentPurgeSuccess { purgedId }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""

COUNT_ALL = "{ documents(includeDeleted: true) { totalCount } }"


async def test_an_admin_purges_a_deleted_document_with_its_tag_links_and_annotations(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    document = await given.document("Draft", content="Hello world")
    await given.tagged(document, "ops")
    await given.annotation(document, start=0, end=5)
    await given.deleted(document)
    await given.document("Other")

    result = await gql(
        PURGE, {"input": {"id": gid("Document", document.id)}}, token=world.admin.token
    )

    payload = only(result, "documentPurge")
    assert payload == {
        "__typename": "DocumentPurgeSuccess",
        "purgedId": gid("Document", document.id),
    }
    assert only(await gql(COUNT_ALL, token=world.admin.token), "documents") == {"totalCount": 1}
    assert await given.stored(Document, id=document.id) == 0
    assert await given.stored(DocumentTag) == 0
    assert await given.stored(Annotation) == 0
    assert await given.stored(Tag) == 1  # the tag itself stays for other documents
    (event,) = await audit_events(database, document.id)
    assert event.action == "documentPurge" and event.actor_id == world.admin.user.id
    assert event.changes["title"] == {"old": "Draft", "new": None}


async def test_an_admin_purges_a_live_document(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()

    result = await gql(
        PURGE, {"input": {"id": gid("Document", document.id)}}, token=world.admin.token
    )

    assert only(result, "documentPurge")["__typename"] == "DocumentPurgeSuccess"
    assert await given.stored(Document) == 0


async def test_an_unknown_document_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    missing = gid("Document", "0190a000-0000-7000-8000-000000000000")

    result = await gql(PURGE, {"input": {"id": missing}}, token=world.admin.token)

    assert only(result, "documentPurge")["__typename"] == "NotFound"
    assert await given.audit_count() == 0


async def test_an_editor_may_not_purge_even_their_own_document(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.deleted(await given.document())

    result = await gql(
        PURGE, {"input": {"id": gid("Document", document.id)}}, token=world.editor.token
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.stored(Document) == 1
