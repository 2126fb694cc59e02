from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import audit_events, gid, only

RESTORE = """
mutation Restore($input: DocumentRestoreInput!) {
  documentRestore(input: $input) {
    __typename
    ... on DocumentRestoreSuccess { document { id title version deletedAt } }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""

COUNT = "{ documents { totalCount } }"


async def test_an_admin_restores_a_deleted_document_into_the_lists(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    document = await given.deleted(await given.document("Postmortem"))

    result = await gql(
        RESTORE, {"input": {"id": gid("Document", document.id)}}, token=world.admin.token
    )

    payload = only(result, "documentRestore")
    assert payload["__typename"] == "DocumentRestoreSuccess"
    assert payload["document"]["title"] == "Postmortem"
    assert payload["document"]["deletedAt"] is None
    assert payload["document"]["version"] == 3
    assert only(await gql(COUNT, token=world.editor.token), "documents") == {"totalCount": 1}
    (event,) = await audit_events(database, document.id)
    assert event.action == "documentRestore" and event.actor_id == world.admin.user.id
    assert event.changes["deleted_at"]["new"] is None


async def test_a_live_document_is_a_validation_error(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()

    result = await gql(
        RESTORE, {"input": {"id": gid("Document", document.id)}}, token=world.admin.token
    )

    payload = only(result, "documentRestore")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == "id"
    assert await given.audit_count(document.id) == 0


async def test_an_unknown_document_is_not_found(gql: GraphQLClient, world: World) -> None:
    missing = gid("Document", "0190a000-0000-7000-8000-000000000000")

    result = await gql(RESTORE, {"input": {"id": missing}}, token=world.admin.token)

    assert only(result, "documentRestore")["__typename"] == "NotFound"


async def test_an_editor_may_not_restore_even_their_own_document(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.deleted(await given.document())

    result = await gql(
        RESTORE, {"input": {"id": gid("Document", document.id)}}, token=world.editor.token
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert only(await gql(COUNT, token=world.editor.token), "documents") == {"totalCount": 0}


async def test_an_anonymous_caller_is_unauthenticated(gql: GraphQLClient, given: Given) -> None:
    document = await given.deleted(await given.document())

    result = await gql(RESTORE, {"input": {"id": gid("Document", document.id)}})

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
