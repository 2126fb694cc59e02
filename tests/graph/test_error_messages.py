"""Error messages name rows by the global ids clients use, never by the database's UUIDs."""

from __future__ import annotations

import re
import uuid

from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid, only

UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I)

CREATE = """
mutation Create {
  documentCreate(input: {title: "Runbook"}) {
    ... on DocumentCreateSuccess { document { id } }
  }
}
"""
UPDATE = """
mutation Update($id: ID!) {
  documentUpdate(input: {id: $id, expectedVersion: 1, title: "Changed"}) {
    __typename
    ... on Error { message }
  }
}
"""
DELETE = """
mutation Delete($id: ID!) {
  documentDelete(input: {id: $id}) { __typename ... on NotFound { message id } }
}
"""
REVOKE = """
mutation Revoke($id: ID!) {
  apiKeyRevoke(input: {id: $id}) { __typename ... on NotFound { message id } }
}
"""


async def test_a_version_conflict_names_the_document_by_its_global_id(
    gql: GraphQLClient, world: World
) -> None:
    created = await gql(CREATE, token=world.editor.token)
    document_id = only(created, "documentCreate")["document"]["id"]
    await gql(UPDATE, {"id": document_id}, token=world.editor.token)

    result = await gql(UPDATE, {"id": document_id}, token=world.editor.token)

    payload = only(result, "documentUpdate")
    assert payload["__typename"] == "VersionConflict"
    assert document_id in payload["message"]
    assert UUID.search(payload["message"]) is None


async def test_not_found_names_the_missing_row_by_its_global_id(
    gql: GraphQLClient, world: World
) -> None:
    missing = {"Document": (DELETE, "documentDelete"), "ApiKey": (REVOKE, "apiKeyRevoke")}
    for type_name, (operation, field) in missing.items():
        absent = gid(type_name, uuid.uuid4())

        result = await gql(operation, {"id": absent}, token=world.admin.token)

        payload = only(result, field)
        assert payload["__typename"] == "NotFound"
        assert payload["id"] == absent
        assert absent in payload["message"]
        assert UUID.search(payload["message"]) is None
