"""The audit trail as admins read it: newest first, filtered, with the actor and changes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only

EVENTS = """
query Events($filter: AuditEventFilter) {
  auditEvents(filter: $filter) {
    totalCount
    edges { node { action entityType entityId actor { username } changes } }
  }
}
"""

CREATE_NODE = """
mutation Create($label: String!) {
  knowledgeNodeCreate(input: {label: $label, nodeType: "concept"}) {
    ... on KnowledgeNodeCreateSuccess { node { id } }
  }
}
"""

RENAME_NODE = """
mutation Rename($id: ID!) {
  knowledgeNodeUpdate(input: {id: $id, expectedVersion: 1, label: "A2"}) { __typename }
}
"""

CREATE_DOCUMENT = """
mutation { documentCreate(input: {title: "Doc"}) { __typename } }
"""


async def history(gql: GraphQLClient, world: World) -> dict[str, str]:
    """In this order: the editor creates nodes A and B, the admin renames A, the editor
    creates a document. The ids of A and B."""
    ids = {}
    for label in ("A", "B"):
        result = await gql(CREATE_NODE, {"label": label}, token=world.editor.token)
        ids[label] = only(result, "knowledgeNodeCreate")["node"]["id"]
    await gql(RENAME_NODE, {"id": ids["A"]}, token=world.admin.token)
    await gql(CREATE_DOCUMENT, token=world.editor.token)
    return ids


def events(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in only(result, "auditEvents")["edges"]]


async def test_admins_read_the_trail_newest_first_with_actors_and_changes(
    gql: GraphQLClient, world: World
) -> None:
    ids = await history(gql, world)

    result = await gql(EVENTS, {"filter": {"entityType": "KnowledgeNode"}}, token=world.admin.token)

    assert only(result, "auditEvents")["totalCount"] == 3
    assert events(result) == [
        {
            "action": "knowledgeNodeUpdate",
            "entityType": "KnowledgeNode",
            "entityId": ids["A"],
            "actor": {"username": "admin"},
            "changes": {"label": {"old": "A", "new": "A2"}},
        },
        {
            "action": "knowledgeNodeCreate",
            "entityType": "KnowledgeNode",
            "entityId": ids["B"],
            "actor": {"username": "editor"},
            "changes": {
                "label": {"old": None, "new": "B"},
                "node_type": {"old": None, "new": "concept"},
                "properties": {"old": None, "new": {}},
            },
        },
        {
            "action": "knowledgeNodeCreate",
            "entityType": "KnowledgeNode",
            "entityId": ids["A"],
            "actor": {"username": "editor"},
            "changes": {
                "label": {"old": None, "new": "A"},
                "node_type": {"old": None, "new": "concept"},
                "properties": {"old": None, "new": {}},
            },
        },
    ]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        (
            None,
            ["documentCreate", "knowledgeNodeUpdate", "knowledgeNodeCreate", "knowledgeNodeCreate"],
        ),
        ({"action": "knowledgeNodeCreate"}, ["knowledgeNodeCreate", "knowledgeNodeCreate"]),
        ({"actorId": "admin"}, ["knowledgeNodeUpdate"]),
        ({"actorId": "editor"}, ["documentCreate", "knowledgeNodeCreate", "knowledgeNodeCreate"]),
        ({"entityType": "Document", "actorId": "editor"}, ["documentCreate"]),
        ({"entityType": "KnowledgeNode", "action": "documentCreate"}, []),
    ],
)
async def test_the_trail_is_filtered_by_entity_type_action_and_actor(
    gql: GraphQLClient, world: World, filter: dict[str, str] | None, expected: list[str]
) -> None:
    await history(gql, world)
    if filter and "actorId" in filter:
        filter = filter | {"actorId": world.members[filter["actorId"]].global_id}

    result = await gql(EVENTS, {"filter": filter}, token=world.admin.token)

    assert [event["action"] for event in events(result)] == expected
    assert only(result, "auditEvents")["totalCount"] == len(expected)


async def test_an_actor_id_of_another_type_is_bad_input(gql: GraphQLClient, world: World) -> None:
    result = await gql(
        EVENTS, {"filter": {"actorId": "S25vd2xlZGdlTm9kZTox"}}, token=world.admin.token
    )

    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]


async def test_an_editor_may_not_read_the_trail(gql: GraphQLClient, world: World) -> None:
    result = await gql(EVENTS, token=world.editor.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient) -> None:
    result = await gql(EVENTS)

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
