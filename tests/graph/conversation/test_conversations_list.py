"""`conversations`: filters by participant, context, archived and title; newest activity
first."""

from __future__ import annotations

from tests.graph.conftest import GraphQLClient, World
from tests.graph.conversation.conftest import Chat

LIST = """
query Listed($filter: ConversationFilter) {
  conversations(filter: $filter) { edges { node { title } } }
}
"""
ARCHIVE = """
mutation Shelve($input: ConversationArchiveInput!) { conversationArchive(input: $input) {
  __typename } }
"""


async def titles(gql: GraphQLClient, token: str, **filter: object) -> list[str]:
    result = await gql(LIST, {"filter": filter or None}, token=token)
    assert "errors" not in result, result["errors"]
    return [e["node"]["title"] for e in result["data"]["conversations"]["edges"]]


async def test_conversations_filter_by_participant_context_archived_and_title(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    guide = await chat.document(world.editor, "Guide")
    shared = {"visibility": "ORGANIZATION"}
    await chat.start(world.editor, title="Guide help", contextId=guide, **shared)
    with_viewer = await chat.start(world.editor, title="Pairing", with_=(world.viewer,), **shared)
    old = await chat.start(world.editor, title="Old topic", **shared)
    await gql(ARCHIVE, {"input": {"id": old["id"], "expectedVersion": 1}}, token=world.editor.token)
    await chat.post(world.viewer.token, with_viewer["id"], "latest activity")
    token = world.editor.token

    assert await titles(gql, token) == ["Pairing", "Old topic", "Guide help"]
    assert await titles(gql, token, participantId=world.viewer.global_id) == ["Pairing"]
    assert await titles(gql, token, contextId=guide) == ["Guide help"]
    assert await titles(gql, token, archived=True) == ["Old topic"]
    assert await titles(gql, token, archived=False, titleContains="HELP") == ["Guide help"]


async def test_a_context_id_of_another_type_is_bad_user_input(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(
        LIST, {"filter": {"contextId": world.viewer.global_id}}, token=world.editor.token
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
