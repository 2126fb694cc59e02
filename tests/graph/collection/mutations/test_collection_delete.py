from __future__ import annotations

from persistence.collection.models import Visibility
from persistence.database import Database
from tests.graph.collection.mutations.conftest import Given, collection_id
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only

DELETE = """
mutation Delete($input: CollectionDeleteInput!) {
  collectionDelete(input: $input) {
    __typename
    ... on CollectionDeleteSuccess { collection { name version deletedAt } }
    ... on VersionConflict { currentVersion }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""

COUNT = "{ collections { totalCount } }"


async def test_the_owner_deletes_a_collection_which_leaves_the_lists(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    collection = await given.collection("Runbooks")

    result = await gql(
        DELETE, {"input": {"id": collection_id(collection)}}, token=world.editor.token
    )

    payload = only(result, "collectionDelete")["collection"]
    assert payload["name"] == "Runbooks" and payload["version"] == 2
    assert payload["deletedAt"] is not None
    assert only(await gql(COUNT, token=world.editor.token), "collections") == {"totalCount": 0}
    (event,) = await audit_events(database, collection.id)
    assert event.action == "collectionDelete" and event.actor_id == world.editor.user.id
    assert event.changes["deleted_at"]["old"] is None
    assert event.changes["deleted_at"]["new"] is not None


async def test_an_admin_deletes_someone_elses_collection(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection()

    result = await gql(
        DELETE, {"input": {"id": collection_id(collection)}}, token=world.admin.token
    )

    assert only(result, "collectionDelete")["__typename"] == "CollectionDeleteSuccess"


async def test_an_editor_may_not_delete_someone_elses_collection(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection(by=world.admin)

    result = await gql(
        DELETE, {"input": {"id": collection_id(collection)}}, token=world.editor.token
    )

    assert only(result, "collectionDelete")["__typename"] == "PermissionDenied"
    assert only(await gql(COUNT, token=world.editor.token), "collections") == {"totalCount": 1}
    assert await given.audit_count() == 0


async def test_a_stale_expected_version_is_a_version_conflict(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection()

    result = await gql(
        DELETE,
        {"input": {"id": collection_id(collection), "expectedVersion": 2}},
        token=world.editor.token,
    )

    payload = only(result, "collectionDelete")
    assert (payload["__typename"], payload["currentVersion"]) == ("VersionConflict", 1)
    assert only(await gql(COUNT, token=world.editor.token), "collections") == {"totalCount": 1}


async def test_a_deleted_collection_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.deleted(await given.collection())

    result = await gql(
        DELETE, {"input": {"id": collection_id(collection)}}, token=world.editor.token
    )

    assert only(result, "collectionDelete")["__typename"] == "NotFound"


async def test_a_private_collection_of_someone_else_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection(by=world.admin, visibility=Visibility.PRIVATE)

    result = await gql(
        DELETE, {"input": {"id": collection_id(collection)}}, token=world.editor.token
    )

    assert only(result, "collectionDelete")["__typename"] == "NotFound"


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    collection = await given.collection(by=world.viewer)

    result = await gql(
        DELETE, {"input": {"id": collection_id(collection)}}, token=world.viewer.token
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_an_anonymous_caller_is_unauthenticated(gql: GraphQLClient, given: Given) -> None:
    collection = await given.collection()

    result = await gql(DELETE, {"input": {"id": collection_id(collection)}})

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


TOTALS = "{ collections { totalCount } documents { totalCount } }"
RESTORE = """
mutation Restore($input: CollectionRestoreInput!) {
  collectionRestore(input: $input) { __typename }
}
"""


async def test_deleting_takes_the_subtree_and_its_documents_and_restore_brings_them_back(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    root = await given.collection("Engineering")
    child = await given.collection("Backend", parent=root)
    await given.document(child, "Schema notes")
    await given.document(await given.collection("Elsewhere"), "Kept")
    before = await gql(TOTALS, token=world.editor.token)

    await gql(DELETE, {"input": {"id": collection_id(root)}}, token=world.editor.token)
    during = await gql(TOTALS, token=world.editor.token)
    await gql(RESTORE, {"input": {"id": collection_id(root)}}, token=world.admin.token)
    after = await gql(TOTALS, token=world.editor.token)

    counts = [
        (r["data"]["collections"]["totalCount"], r["data"]["documents"]["totalCount"])
        for r in (before, during, after)
    ]
    assert counts == [(3, 2), (1, 1), (3, 2)]
