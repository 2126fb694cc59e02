from __future__ import annotations

from persistence.collection.models import Visibility
from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import audit_events, gid, only

DELETE = """
mutation Delete($input: DocumentDeleteInput!) {
  documentDelete(input: $input) {
    __typename
    ... on DocumentDeleteSuccess { document { id version deletedAt } }
    ... on VersionConflict { currentVersion }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""

COUNT = "{ documents { totalCount } }"


async def test_the_owner_deletes_a_document_which_leaves_the_lists(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    document = await given.document()

    result = await gql(
        DELETE, {"input": {"id": gid("Document", document.id)}}, token=world.editor.token
    )

    payload = only(result, "documentDelete")
    assert payload["__typename"] == "DocumentDeleteSuccess"
    assert payload["document"]["deletedAt"] is not None
    assert payload["document"]["version"] == 2
    assert only(await gql(COUNT, token=world.editor.token), "documents") == {"totalCount": 0}
    (event,) = await audit_events(database, document.id)
    assert event.action == "documentDelete" and event.actor_id == world.editor.user.id
    assert event.changes["deleted_at"]["old"] is None
    assert event.changes["deleted_at"]["new"] is not None


async def test_an_admin_deletes_someone_elses_document(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()

    result = await gql(
        DELETE, {"input": {"id": gid("Document", document.id)}}, token=world.admin.token
    )

    assert only(result, "documentDelete")["__typename"] == "DocumentDeleteSuccess"


async def test_an_editor_may_not_delete_someone_elses_document(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(by=world.admin)

    result = await gql(
        DELETE, {"input": {"id": gid("Document", document.id)}}, token=world.editor.token
    )

    assert only(result, "documentDelete")["__typename"] == "PermissionDenied"
    assert only(await gql(COUNT, token=world.editor.token), "documents") == {"totalCount": 1}
    assert await given.audit_count(document.id) == 0


async def test_a_stale_expected_version_is_a_version_conflict(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()

    result = await gql(
        DELETE,
        {"input": {"id": gid("Document", document.id), "expectedVersion": 7}},
        token=world.editor.token,
    )

    payload = only(result, "documentDelete")
    assert payload["__typename"] == "VersionConflict"
    assert payload["currentVersion"] == 1
    assert only(await gql(COUNT, token=world.editor.token), "documents") == {"totalCount": 1}


async def test_a_matching_expected_version_deletes(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()

    result = await gql(
        DELETE,
        {"input": {"id": gid("Document", document.id), "expectedVersion": 1}},
        token=world.editor.token,
    )

    assert only(result, "documentDelete")["__typename"] == "DocumentDeleteSuccess"


async def test_a_private_document_of_someone_else_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(by=world.admin, visibility=Visibility.PRIVATE)

    result = await gql(
        DELETE, {"input": {"id": gid("Document", document.id)}}, token=world.editor.token
    )

    assert only(result, "documentDelete")["__typename"] == "NotFound"
    assert await given.audit_count(document.id) == 0


async def test_a_deleted_document_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.deleted(await given.document())

    result = await gql(
        DELETE, {"input": {"id": gid("Document", document.id)}}, token=world.editor.token
    )

    assert only(result, "documentDelete")["__typename"] == "NotFound"


async def test_an_id_of_another_type_is_a_validation_error(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(DELETE, {"input": {"id": world.editor.global_id}}, token=world.editor.token)

    payload = only(result, "documentDelete")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "id"
    assert "Document" in payload["message"]


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    document = await given.document()

    result = await gql(
        DELETE, {"input": {"id": gid("Document", document.id)}}, token=world.viewer.token
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_an_anonymous_caller_is_unauthenticated(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()

    result = await gql(DELETE, {"input": {"id": gid("Document", document.id)}})

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
