from __future__ import annotations

from persistence.collection.models import Visibility
from persistence.database import Database
from tests.graph.collection.mutations.conftest import Given, collection_id
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only

UPDATE = """
mutation Update($input: CollectionUpdateInput!) {
  collectionUpdate(input: $input) {
    __typename
    ... on CollectionUpdateSuccess {
      collection { name description color icon visibility version }
    }
    ... on VersionConflict { currentVersion }
    ... on ValidationError { field }
    ... on AlreadyExists { field }
    ... on Error { message }
  }
}
"""


async def test_an_editor_changes_the_fields_given_and_leaves_the_rest(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    collection = await given.collection(
        "Runbooks", by=world.admin, description="Ops", color="#000000", icon="book"
    )
    input = {
        "id": collection_id(collection),
        "expectedVersion": 1,
        "name": "Playbooks",
        "color": None,
    }

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    assert only(result, "collectionUpdate")["collection"] == {
        "name": "Playbooks",
        "description": "Ops",
        "color": None,
        "icon": "book",
        "visibility": "ORGANIZATION",
        "version": 2,
    }
    (event,) = await audit_events(database, collection.id)
    assert event.action == "collectionUpdate" and event.actor_id == world.editor.user.id
    assert event.changes == {
        "name": {"old": "Runbooks", "new": "Playbooks"},
        "color": {"old": "#000000", "new": None},
    }


async def test_a_stale_expected_version_is_a_version_conflict_and_changes_nothing(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection("Runbooks")
    update = {"id": collection_id(collection), "expectedVersion": 1}
    await gql(UPDATE, {"input": {**update, "name": "First"}}, token=world.editor.token)

    result = await gql(UPDATE, {"input": {**update, "name": "Second"}}, token=world.editor.token)

    payload = only(result, "collectionUpdate")
    assert (payload["__typename"], payload["currentVersion"]) == ("VersionConflict", 2)
    assert (await given.row(collection)).name == "First"  # type: ignore[union-attr]
    assert await given.audit_count(collection.id) == 1


async def test_a_null_name_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection()

    result = await gql(
        UPDATE,
        {"input": {"id": collection_id(collection), "expectedVersion": 1, "name": None}},
        token=world.editor.token,
    )

    payload = only(result, "collectionUpdate")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "name")


async def test_a_name_a_live_sibling_has_is_already_exists(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    await given.collection("Runbooks")
    collection = await given.collection("Drafts")

    result = await gql(
        UPDATE,
        {"input": {"id": collection_id(collection), "expectedVersion": 1, "name": "runbooks"}},
        token=world.editor.token,
    )

    payload = only(result, "collectionUpdate")
    assert (payload["__typename"], payload["field"]) == ("AlreadyExists", "name")
    assert (await given.row(collection)).name == "Drafts"  # type: ignore[union-attr]


async def test_only_the_owner_or_an_admin_changes_visibility(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection(by=world.admin)
    input = {"id": collection_id(collection), "expectedVersion": 1, "visibility": "PRIVATE"}

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    assert only(result, "collectionUpdate")["__typename"] == "PermissionDenied"
    assert await given.audit_count(collection.id) == 0


async def test_a_private_collection_of_someone_else_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    collection = await given.collection(by=world.admin, visibility=Visibility.PRIVATE)

    result = await gql(
        UPDATE,
        {"input": {"id": collection_id(collection), "expectedVersion": 1, "name": "Mine"}},
        token=world.editor.token,
    )

    assert only(result, "collectionUpdate")["__typename"] == "NotFound"


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    collection = await given.collection()

    result = await gql(
        UPDATE,
        {"input": {"id": collection_id(collection), "expectedVersion": 1, "name": "X"}},
        token=world.viewer.token,
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
