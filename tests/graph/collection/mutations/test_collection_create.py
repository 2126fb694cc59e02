from __future__ import annotations

import pytest

from persistence.collection.models import Collection, Visibility
from persistence.database import Database
from tests.graph.collection.mutations.conftest import Given, collection_id
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only, row_id

CREATE = """
mutation Create($input: CollectionCreateInput!) {
  collectionCreate(input: $input) {
    __typename
    ... on CollectionCreateSuccess {
      collection {
        id name description color icon visibility version
        owner { username } parent { name } ancestors { name }
      }
    }
    ... on ValidationError { field }
    ... on AlreadyExists { field }
    ... on Error { message }
  }
}
"""


async def test_an_editor_creates_a_nested_collection_with_an_audit_event(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    parent = await given.collection("Engineering", by=world.admin)
    input = {
        "name": "Runbooks",
        "description": "How we operate",
        "color": "#336699",
        "icon": "book",
        "parentId": collection_id(parent),
    }

    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    collection = only(result, "collectionCreate")["collection"]
    assert collection["name"] == "Runbooks" and collection["color"] == "#336699"
    assert collection["visibility"] == "ORGANIZATION" and collection["version"] == 1
    assert collection["owner"] == {"username": "editor"}
    assert collection["parent"] == {"name": "Engineering"}
    assert collection["ancestors"] == [{"name": "Engineering"}]
    (event,) = await audit_events(database, row_id(collection["id"]))
    assert event.action == "collectionCreate" and event.actor_id == world.editor.user.id
    assert event.changes["name"] == {"old": None, "new": "Runbooks"}
    assert event.changes["parent_id"] == {"old": None, "new": str(parent.id)}


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "Ok", "color": "red"}, "color"),
        ({"name": "Ok", "parentId": "VXNlcjox"}, "parentId"),
    ],
)
async def test_invalid_input_is_a_validation_error_and_writes_nothing(
    gql: GraphQLClient, world: World, given: Given, input: dict, field: str
) -> None:
    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    payload = only(result, "collectionCreate")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", field)
    assert await given.stored(Collection) == 0
    assert await given.audit_count() == 0


async def test_a_live_sibling_with_the_same_name_is_already_exists(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    parent = await given.collection("Engineering")
    await given.collection("Runbooks", parent=parent)

    result = await gql(
        CREATE,
        {"input": {"name": "RUNBOOKS", "parentId": collection_id(parent)}},
        token=world.editor.token,
    )

    payload = only(result, "collectionCreate")
    assert (payload["__typename"], payload["field"]) == ("AlreadyExists", "name")
    assert await given.stored(Collection) == 2


async def test_the_same_name_is_fine_under_another_parent(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    await given.collection("Runbooks")

    result = await gql(
        CREATE,
        {"input": {"name": "Runbooks", "parentId": collection_id(await given.collection("Ops"))}},
        token=world.editor.token,
    )

    assert only(result, "collectionCreate")["__typename"] == "CollectionCreateSuccess"


async def test_a_private_parent_of_someone_else_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    parent = await given.collection("Secret", by=world.admin, visibility=Visibility.PRIVATE)

    result = await gql(
        CREATE,
        {"input": {"name": "Inside", "parentId": collection_id(parent)}},
        token=world.editor.token,
    )

    assert only(result, "collectionCreate")["__typename"] == "NotFound"
    assert await given.stored(Collection) == 1


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    result = await gql(CREATE, {"input": {"name": "Nope"}}, token=world.viewer.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.stored(Collection) == 0


async def test_an_anonymous_caller_is_unauthenticated(gql: GraphQLClient, world: World) -> None:
    result = await gql(CREATE, {"input": {"name": "Nope"}})

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
