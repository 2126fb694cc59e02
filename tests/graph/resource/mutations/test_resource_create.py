from __future__ import annotations

import pytest

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only, row_id
from tests.graph.resource.conftest import CREATE, create_resource

COUNT = "query ResourceCount { resources { totalCount } }"


async def test_an_editor_creates_a_resource_with_an_audit_event(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    resource = await create_resource(
        gql, world.editor.token, url="https://videos.example/intro", kind="VIDEO", qualityScore=0.9
    )

    assert resource["kind"] == "VIDEO" and resource["qualityScore"] == 0.9
    assert resource["usageCount"] == 0 and resource["version"] == 1
    assert resource["owner"] == {"username": "editor"}
    (event,) = await audit_events(database, row_id(resource["id"]))
    assert event.action == "resourceCreate" and event.actor_id == world.editor.user.id
    assert event.changes["url"] == {"old": None, "new": "https://videos.example/intro"}


@pytest.mark.parametrize(
    ("input", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://files.example/a"}, "url"),
        ({"url": "file:///etc/passwd"}, "url"),
        ({"url": "/relative/path"}, "url"),
        ({"url": "https://"}, "url"),
        ({"url": "https://exa mple.com/"}, "url"),
        ({"url": "https://example.com/" + "a" * 2048}, "url"),
        ({"url": "http://[::1"}, "url"),
        ({"title": "  "}, "title"),
        ({"title": "t" * 301}, "title"),
        ({"qualityScore": 1.5}, "qualityScore"),
        ({"qualityScore": -0.1}, "qualityScore"),
    ],
)
async def test_invalid_input_is_a_validation_error_and_writes_nothing(
    gql: GraphQLClient, world: World, input: dict, field: str
) -> None:
    values = {"url": "https://example.com", "kind": "OTHER", "title": "T", **input}

    result = await gql(CREATE, {"input": values}, token=world.editor.token)

    payload = only(result, "resourceCreate")
    assert payload["__typename"] == "ValidationError"
    assert payload["field"] == field
    assert (await gql(COUNT, token=world.admin.token))["data"]["resources"]["totalCount"] == 0


async def test_a_viewer_may_not_create_a_resource(gql: GraphQLClient, world: World) -> None:
    values = {"url": "https://example.com", "kind": "OTHER", "title": "T"}

    result = await gql(CREATE, {"input": values}, token=world.viewer.token)

    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
