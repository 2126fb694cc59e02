from __future__ import annotations

from persistence.database import Database
from tests.graph.collection.mutations.conftest import Given, collection_id
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, gid, only

RESTORE = """
mutation Restore($input: CollectionRestoreInput!) {
  collectionRestore(input: $input) {
    __typename
    ... on CollectionRestoreSuccess { collection { name version deletedAt } }
    ... on ValidationError { field }
    ... on AlreadyExists { field }
    ... on Error { message }
  }
}
"""

COUNT = "{ collections { totalCount } }"


async def test_an_admin_restores_a_deleted_collection_into_the_lists(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    collection = await given.deleted(await given.collection("Runbooks"))

    result = await gql(
        RESTORE, {"input": {"id": collection_id(collection)}}, token=world.admin.token
    )

    assert only(result, "collectionRestore")["collection"] == {
        "name": "Runbooks",
        "version": 3,
        "deletedAt": None,
    }
    assert only(await gql(COUNT, token=world.editor.token), "collections") == {"totalCount": 1}
    (event,) = await audit_events(database, collection.id)
    assert event.action == "collectionRestore" and event.actor_id == world.admin.user.id
    assert event.changes["deleted_at"]["new"] is None


async def test_a_live_collection_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection()

    result = await gql(
        RESTORE, {"input": {"id": collection_id(collection)}}, token=world.admin.token
    )

    payload = only(result, "collectionRestore")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "id")


async def test_a_name_taken_meanwhile_by_a_live_sibling_is_already_exists(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.deleted(await given.collection("Runbooks"))
    await given.collection("Runbooks")

    result = await gql(
        RESTORE, {"input": {"id": collection_id(collection)}}, token=world.admin.token
    )

    payload = only(result, "collectionRestore")
    assert (payload["__typename"], payload["field"]) == ("AlreadyExists", "name")
    assert (await given.row(collection)).deleted_at is not None  # type: ignore[union-attr]
    assert await given.audit_count() == 0


async def test_an_unknown_collection_is_not_found(gql: GraphQLClient, world: World) -> None:
    missing = gid("Collection", "0190a000-0000-7000-8000-000000000000")

    result = await gql(RESTORE, {"input": {"id": missing}}, token=world.admin.token)

    assert only(result, "collectionRestore")["__typename"] == "NotFound"


async def test_an_editor_may_not_restore_even_their_own_collection(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.deleted(await given.collection())

    result = await gql(
        RESTORE, {"input": {"id": collection_id(collection)}}, token=world.editor.token
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
