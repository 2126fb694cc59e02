from __future__ import annotations

from typing import Any

from persistence.collection.models import Collection
from persistence.database import Database
from tests.graph.collection.mutations.conftest import Given, collection_id
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only

MOVE = """
mutation Move($input: CollectionMoveInput!) {
  collectionMove(input: $input) {
    __typename
    ... on CollectionMoveSuccess {
      collection { version parent { name } ancestors { name } }
    }
    ... on VersionConflict { currentVersion }
    ... on ValidationError { field }
    ... on AlreadyExists { field }
    ... on Error { message }
  }
}
"""


def move(collection: Collection, parent: Collection | None, version: int = 1) -> dict[str, Any]:
    parent_id = collection_id(parent) if parent is not None else None
    return {
        "input": {
            "id": collection_id(collection),
            "expectedVersion": version,
            "parentId": parent_id,
        }
    }


async def test_an_editor_moves_a_collection_under_another_with_an_audit_event(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    engineering = await given.collection("Engineering")
    ops = await given.collection("Ops", parent=engineering)
    runbooks = await given.collection("Runbooks", by=world.admin)

    result = await gql(MOVE, move(runbooks, ops), token=world.editor.token)

    assert only(result, "collectionMove")["collection"] == {
        "version": 2,
        "parent": {"name": "Ops"},
        "ancestors": [{"name": "Engineering"}, {"name": "Ops"}],
    }
    (event,) = await audit_events(database, runbooks.id)
    assert event.action == "collectionMove" and event.actor_id == world.editor.user.id
    assert event.changes == {"parent_id": {"old": None, "new": str(ops.id)}}


async def test_a_null_parent_moves_a_collection_to_the_top_level(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    runbooks = await given.collection("Runbooks", parent=await given.collection("Ops"))

    result = await gql(MOVE, move(runbooks, None), token=world.editor.token)

    assert only(result, "collectionMove")["collection"]["parent"] is None


async def test_moving_under_its_own_descendant_is_refused_and_changes_nothing(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    top = await given.collection("Top")
    middle = await given.collection("Middle", parent=top)
    bottom = await given.collection("Bottom", parent=middle)

    result = await gql(MOVE, move(top, bottom), token=world.editor.token)

    payload = only(result, "collectionMove")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "parentId")
    stored = await given.row(top)
    assert stored is not None and stored.parent_id is None and stored.version == 1
    assert await given.audit_count() == 0


async def test_moving_under_itself_is_refused(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    top = await given.collection("Top")

    result = await gql(MOVE, move(top, top), token=world.editor.token)

    payload = only(result, "collectionMove")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "parentId")


async def test_a_stale_expected_version_is_a_version_conflict(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    runbooks = await given.collection("Runbooks")
    ops = await given.collection("Ops")

    result = await gql(MOVE, move(runbooks, ops, version=3), token=world.editor.token)

    payload = only(result, "collectionMove")
    assert (payload["__typename"], payload["currentVersion"]) == ("VersionConflict", 1)
    assert (await given.row(runbooks)).parent_id is None  # type: ignore[union-attr]


async def test_a_deleted_parent_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    runbooks = await given.collection("Runbooks")
    gone = await given.deleted(await given.collection("Gone"))

    result = await gql(MOVE, move(runbooks, gone), token=world.editor.token)

    assert only(result, "collectionMove")["__typename"] == "NotFound"


async def test_a_sibling_with_the_same_name_at_the_new_place_is_already_exists(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    ops = await given.collection("Ops")
    await given.collection("Runbooks", parent=ops)
    runbooks = await given.collection("Runbooks")

    result = await gql(MOVE, move(runbooks, ops), token=world.editor.token)

    payload = only(result, "collectionMove")
    assert (payload["__typename"], payload["field"]) == ("AlreadyExists", "name")


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    runbooks = await given.collection("Runbooks", parent=await given.collection("Ops"))

    result = await gql(MOVE, move(runbooks, None), token=world.viewer.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
