from __future__ import annotations

from persistence.collection.models import Visibility
from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import audit_events, gid, only

UPDATE = """
mutation Update($input: DocumentUpdateInput!) {
  documentUpdate(input: $input) {
    __typename
    ... on DocumentUpdateSuccess { document { title content status version } }
    ... on VersionConflict { currentVersion }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""


async def test_an_editor_changes_the_fields_given_and_leaves_the_rest(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    document = await given.document("Draft", content="Body", by=world.admin)

    result = await gql(
        UPDATE,
        {"input": {"id": gid("Document", document.id), "expectedVersion": 1, "title": "Final"}},
        token=world.editor.token,
    )

    payload = only(result, "documentUpdate")
    assert payload["document"] == {
        "title": "Final",
        "content": "Body",
        "status": "DRAFT",
        "version": 2,
    }
    (event,) = await audit_events(database, document.id)
    assert event.action == "documentUpdate"
    assert event.changes == {"title": {"old": "Draft", "new": "Final"}}


async def test_a_stale_expected_version_is_a_version_conflict_and_changes_nothing(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document("Draft")
    update = {"id": gid("Document", document.id), "expectedVersion": 1}
    await gql(UPDATE, {"input": {**update, "title": "First"}}, token=world.editor.token)

    result = await gql(UPDATE, {"input": {**update, "title": "Second"}}, token=world.editor.token)

    payload = only(result, "documentUpdate")
    assert payload["__typename"] == "VersionConflict"
    assert payload["currentVersion"] == 2
    assert await given.audit_count(document.id) == 1


async def test_a_null_title_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()

    result = await gql(
        UPDATE,
        {"input": {"id": gid("Document", document.id), "expectedVersion": 1, "title": None}},
        token=world.editor.token,
    )

    payload = only(result, "documentUpdate")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", "title")


async def test_only_the_owner_or_an_admin_changes_visibility(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(by=world.admin)
    update = {"id": gid("Document", document.id), "expectedVersion": 1, "visibility": "PRIVATE"}

    result = await gql(UPDATE, {"input": update}, token=world.editor.token)

    assert only(result, "documentUpdate")["__typename"] == "PermissionDenied"
    assert await given.audit_count(document.id) == 0


async def test_a_private_document_of_someone_else_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(by=world.admin, visibility=Visibility.PRIVATE)

    result = await gql(
        UPDATE,
        {"input": {"id": gid("Document", document.id), "expectedVersion": 1, "title": "Mine"}},
        token=world.editor.token,
    )

    assert only(result, "documentUpdate")["__typename"] == "NotFound"
    assert await given.audit_count(document.id) == 0


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    document = await given.document()

    result = await gql(
        UPDATE,
        {"input": {"id": gid("Document", document.id), "expectedVersion": 1, "title": "X"}},
        token=world.viewer.token,
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
