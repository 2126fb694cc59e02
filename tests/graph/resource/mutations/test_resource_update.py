from __future__ import annotations

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only, row_id
from tests.graph.resource.conftest import create_resource

UPDATE = """
mutation UpdateResource($input: ResourceUpdateInput!) {
  resourceUpdate(input: $input) {
    __typename
    ... on ResourceUpdateSuccess { resource { title kind qualityScore url version } }
    ... on ValidationError { field }
    ... on VersionConflict { currentVersion }
  }
}
"""


async def test_an_editor_changes_a_resource_and_the_change_is_audited(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    resource = await create_resource(gql, world.admin.token)
    input = {"id": resource["id"], "expectedVersion": 1, "title": "Better", "qualityScore": 1}

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    assert only(result, "resourceUpdate")["resource"] == {
        "title": "Better",
        "kind": "WEB_PAGE",
        "qualityScore": 1.0,
        "url": "https://example.com/a",
        "version": 2,
    }
    events = await audit_events(database, row_id(resource["id"]))
    assert events[-1].action == "resourceUpdate"
    assert events[-1].changes == {
        "title": {"old": "A page", "new": "Better"},
        "quality_score": {"old": 0.5, "new": 1.0},
    }


async def test_a_stale_version_is_a_conflict_and_changes_nothing(
    gql: GraphQLClient, world: World
) -> None:
    resource = await create_resource(gql, world.editor.token)
    first = {"id": resource["id"], "expectedVersion": 1, "title": "One"}
    await gql(UPDATE, {"input": first}, token=world.editor.token)

    stale = await gql(UPDATE, {"input": {**first, "title": "Two"}}, token=world.editor.token)

    payload = only(stale, "resourceUpdate")
    assert payload == {"__typename": "VersionConflict", "currentVersion": 2}


async def test_a_url_that_is_not_http_is_refused_on_update(
    gql: GraphQLClient, world: World
) -> None:
    resource = await create_resource(gql, world.editor.token)
    input = {"id": resource["id"], "expectedVersion": 1, "url": "data:text/html,hi"}

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    assert only(result, "resourceUpdate") == {"__typename": "ValidationError", "field": "url"}


async def test_null_for_a_required_field_is_a_validation_error(
    gql: GraphQLClient, world: World
) -> None:
    resource = await create_resource(gql, world.editor.token)
    input = {"id": resource["id"], "expectedVersion": 1, "title": None}

    result = await gql(UPDATE, {"input": input}, token=world.editor.token)

    assert only(result, "resourceUpdate") == {"__typename": "ValidationError", "field": "title"}
