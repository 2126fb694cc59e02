from __future__ import annotations

from persistence.collection.models import Collection
from persistence.database import Database
from tests.graph.collection.mutations.conftest import Given, collection_id
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only

PURGE = """
mutation Purge($input: CollectionPurgeInput!) {
  collectionPurge(input: $input) {
    __typename
    ... on CollectionPurgeSuccess { purgedId }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""

DOCUMENTS = "{ documents { edges { node { title collection { name } } } } }"


async def test_an_admin_purges_a_deleted_collection_and_its_subtree_but_not_its_documents(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    handbook = await given.collection("Handbook")
    chapter = await given.collection("Chapter", parent=handbook)
    await given.document(chapter, "Page")
    await given.collection("Elsewhere")
    await given.deleted(handbook)

    result = await gql(PURGE, {"input": {"id": collection_id(handbook)}}, token=world.admin.token)

    assert only(result, "collectionPurge") == {
        "__typename": "CollectionPurgeSuccess",
        "purgedId": collection_id(handbook),
    }
    assert await given.row(handbook) is None and await given.row(chapter) is None
    assert await given.stored(Collection) == 1
    edges = only(await gql(DOCUMENTS, token=world.editor.token), "documents")["edges"]
    assert edges == [{"node": {"title": "Page", "collection": None}}]
    (event,) = await audit_events(database, handbook.id)
    assert event.action == "collectionPurge" and event.actor_id == world.admin.user.id
    assert event.changes["name"] == {"old": "Handbook", "new": None}


async def test_an_admin_purges_a_live_collection(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection()

    result = await gql(PURGE, {"input": {"id": collection_id(collection)}}, token=world.admin.token)

    assert only(result, "collectionPurge")["__typename"] == "CollectionPurgeSuccess"
    assert await given.stored(Collection) == 0


async def test_an_unknown_collection_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    missing = gid("Collection", "0190a000-0000-7000-8000-000000000000")

    result = await gql(PURGE, {"input": {"id": missing}}, token=world.admin.token)

    assert only(result, "collectionPurge")["__typename"] == "NotFound"
    assert await given.audit_count() == 0


async def test_an_editor_may_not_purge_even_their_own_collection(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.deleted(await given.collection())

    result = await gql(
        PURGE, {"input": {"id": collection_id(collection)}}, token=world.editor.token
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.stored(Collection) == 1
