from __future__ import annotations

import pytest

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only, row_id

CREATE = """
mutation Create($input: DocumentCreateInput!) {
  documentCreate(input: $input) {
    __typename
    ... on DocumentCreateSuccess {
      document { id title status visibility version owner { username } tags { name } }
    }
    ... on ValidationError { message field }
    ... on NotFound { message }
  }
}
"""

COUNT = "{ documents { totalCount } }"


async def test_an_editor_creates_a_document_with_tags_and_an_audit_event(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    result = await gql(
        CREATE,
        {"input": {"title": "Runbook", "tagNames": ["ops", "Ops", "oncall"]}},
        token=world.editor.token,
    )

    payload = only(result, "documentCreate")
    document = payload["document"]
    assert payload["__typename"] == "DocumentCreateSuccess"
    assert document["title"] == "Runbook" and document["version"] == 1
    assert document["owner"] == {"username": "editor"}
    assert [t["name"] for t in document["tags"]] == ["oncall", "ops"]
    (event,) = await audit_events(database, row_id(document["id"]))
    assert event.action == "documentCreate" and event.actor_id == world.editor.user.id
    assert event.changes["title"] == {"old": None, "new": "Runbook"}


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "T", "metadata": [1, 2]}, "metadata"),
        ({"title": "T", "collectionId": "VXNlcjox"}, "collectionId"),
    ],
)
async def test_invalid_input_is_a_validation_error_and_writes_nothing(
    gql: GraphQLClient, world: World, input: dict, field: str
) -> None:
    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    payload = only(result, "documentCreate")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == field
    assert only(await gql(COUNT, token=world.editor.token), "documents") == {"totalCount": 0}


async def test_a_viewer_may_not_create_documents(gql: GraphQLClient, world: World) -> None:
    result = await gql(CREATE, {"input": {"title": "Nope"}}, token=world.viewer.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
