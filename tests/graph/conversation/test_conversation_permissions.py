"""Who sees and who changes a conversation: PRIVATE ones exist only for their participants,
participants post, an API key with the `write` scope posts as the assistant, owners and
admins manage."""

from __future__ import annotations

from tests.graph.conftest import GraphQLClient, World
from tests.graph.conversation.conftest import Chat

CONVERSATIONS = """
query Conversations($filter: ConversationFilter) {
  conversations(filter: $filter) { totalCount edges { node { title visibility } } }
}
"""
CONVERSATION = """
query OneConversation($id: ID!) { conversation(id: $id) { title participants { username } } }
"""
ARCHIVE = """
mutation Archive($input: ConversationArchiveInput!) {
  conversationArchive(input: $input) {
    __typename
    ... on ConversationArchiveSuccess { conversation { archived version } }
    ... on Error { message }
  }
}
"""
ADD = """
mutation Add($input: ConversationParticipantsAddInput!) {
  conversationParticipantsAdd(input: $input) {
    __typename
    ... on ConversationParticipantsAddSuccess { conversation { participants { username } } }
  }
}
"""
DELETE = """
mutation Delete($input: ConversationDeleteInput!) {
  conversationDelete(input: $input) { __typename }
}
"""
RESTORE = """
mutation Restore($input: ConversationRestoreInput!) {
  conversationRestore(input: $input) { __typename ... on ConversationRestoreSuccess {
    conversation { deletedAt } } }
}
"""


async def test_a_private_conversation_exists_only_for_its_participants(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    private = await chat.start(world.editor, title="Salary talk", with_=(world.viewer,))

    seen = {}
    for name in ("editor", "viewer", "admin"):
        member = world.members[name]
        listed = await gql(CONVERSATIONS, token=member.token)
        one = await gql(CONVERSATION, {"id": private["id"]}, token=member.token)
        seen[name] = (listed["data"]["conversations"]["totalCount"], one["data"]["conversation"])

    assert seen["editor"][0] == seen["viewer"][0] == 1
    assert seen["viewer"][1] == {
        "title": "Salary talk",
        "participants": [{"username": "editor"}, {"username": "viewer"}],
    }
    assert seen["admin"] == (0, None)


async def test_an_organization_conversation_is_read_by_all_but_only_participants_post(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    shared = await chat.start(world.editor, title="Release", visibility="ORGANIZATION")

    listed = await gql(CONVERSATIONS, token=world.viewer.token)
    refused = await chat.post(world.viewer.token, shared["id"], "may I?")
    posted = await chat.post(world.editor.token, shared["id"], "yes")

    assert listed["data"]["conversations"]["totalCount"] == 1
    assert refused["__typename"] == "PermissionDenied"
    assert posted["__typename"] == "MessagePostSuccess"
    assert posted["message"]["role"] == "USER"


async def test_an_api_key_with_write_scope_posts_as_the_assistant(chat: Chat, world: World) -> None:
    conversation = await chat.start(world.viewer, with_=(world.editor,))
    key = await chat.api_key(world.editor)  # the assistant service's user takes part
    outsider_key = await chat.api_key(world.admin)

    answer = await chat.post(key, conversation["id"], "The answer", role="ASSISTANT")
    as_user = await chat.post(key, conversation["id"], "Pretending", role="USER")
    unseen = await chat.post(outsider_key, conversation["id"], "Hello?")

    assert answer["__typename"] == "MessagePostSuccess"
    assert answer["message"]["role"] == "ASSISTANT"
    assert as_user["__typename"] == "PermissionDenied"
    assert unseen["__typename"] == "NotFound"  # PRIVATE: not even admins' keys see it


async def test_only_the_owner_or_an_admin_posts_as_system(chat: Chat, world: World) -> None:
    conversation = await chat.start(world.editor, with_=(world.viewer,), visibility="ORGANIZATION")

    by_participant = await chat.post(world.viewer.token, conversation["id"], "x", role="SYSTEM")
    by_owner = await chat.post(world.editor.token, conversation["id"], "Be brief.", role="SYSTEM")

    assert by_participant["__typename"] == "PermissionDenied"
    assert by_owner["message"]["role"] == "SYSTEM"


async def test_only_the_owner_or_an_admin_manages_a_conversation(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.editor, with_=(world.viewer,), visibility="ORGANIZATION")
    input = {"id": conversation["id"], "expectedVersion": 1}

    by_participant = await gql(ARCHIVE, {"input": input}, token=world.viewer.token)
    by_admin = await gql(ARCHIVE, {"input": input}, token=world.admin.token)
    add = {"conversationId": conversation["id"], "userIds": [world.admin.global_id]}
    adding = await gql(ADD, {"input": add}, token=world.viewer.token)

    assert by_participant["data"]["conversationArchive"]["__typename"] == "PermissionDenied"
    assert by_admin["data"]["conversationArchive"]["conversation"] == {
        "archived": True,
        "version": 2,
    }
    assert adding["data"]["conversationParticipantsAdd"]["__typename"] == "PermissionDenied"


async def test_an_archived_conversation_takes_no_messages(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.editor)
    input = {"id": conversation["id"], "expectedVersion": 1}
    await gql(ARCHIVE, {"input": input}, token=world.editor.token)

    refused = await chat.post(world.editor.token, conversation["id"], "late")

    assert refused["__typename"] == "ValidationError"
    assert refused["reason"] == "the conversation is archived"


async def test_a_deleted_conversation_disappears_until_its_owner_restores_it(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.editor)
    input = {"id": conversation["id"]}

    deleted = await gql(DELETE, {"input": input}, token=world.editor.token)
    gone = await gql(CONVERSATION, input, token=world.editor.token)
    posting = await chat.post(world.editor.token, conversation["id"], "anyone?")
    restored = await gql(RESTORE, {"input": input}, token=world.editor.token)

    assert deleted["data"]["conversationDelete"]["__typename"] == "ConversationDeleteSuccess"
    assert gone["data"]["conversation"] is None
    assert posting["__typename"] == "NotFound"
    payload = restored["data"]["conversationRestore"]
    assert payload == {
        "__typename": "ConversationRestoreSuccess",
        "conversation": {"deletedAt": None},
    }


async def test_a_read_only_api_key_cannot_post(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.editor)
    made = await gql(
        'mutation ReadKey { apiKeyCreate(input: {name: "r", scopes: [READ]}) {'
        " ... on ApiKeyCreateSuccess { secret } } }",
        token=world.editor.token,
    )
    key = made["data"]["apiKeyCreate"]["secret"]

    result = await gql(
        "mutation P($input: MessagePostInput!) { messagePost(input: $input) { __typename } }",
        {"input": {"conversationId": conversation["id"], "body": "hi"}},
        token=key,
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
