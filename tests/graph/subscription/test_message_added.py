"""`messageAdded`: a conversation's new messages reach those who may see it, and only its."""

from __future__ import annotations

from typing import Any

from tests.fixtures.websocket import Socket
from tests.graph.conftest import GraphQLClient, World
from tests.graph.conversation.conftest import Chat
from tests.graph.subscription.conftest import listening

MESSAGE_ADDED = """
subscription Follow($id: ID!) {
  messageAdded(conversationId: $id) { kind message { position body role } }
}
"""


async def test_a_participant_receives_the_messages_of_the_conversation_they_follow(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    chat = Chat(gql, world)
    followed = await chat.start(world.editor, with_=(world.viewer,))
    other = await chat.start(world.editor, with_=(world.viewer,), title="Other")
    async with Socket(app) as socket:
        assert (await socket.init({"token": world.viewer.token}))["type"] == "connection_ack"
        await socket.subscribe("1", MESSAGE_ADDED, {"id": followed["id"]})
        await listening(app)

        await chat.post(world.editor.token, other["id"], "Elsewhere")
        await chat.post(world.editor.token, followed["id"], "Here")
        received = await socket.receive()

    assert received["payload"]["data"]["messageAdded"] == {
        "kind": "CREATED",
        "message": {"position": 1, "body": "Here", "role": "USER"},
    }


async def test_a_private_conversation_never_reaches_a_non_participant(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    chat = Chat(gql, world)
    private = await chat.start(world.editor)
    shared = await chat.start(world.editor, visibility="ORGANIZATION", title="Shared")
    async with Socket(app) as socket:
        assert (await socket.init({"token": world.admin.token}))["type"] == "connection_ack"
        await socket.subscribe("1", MESSAGE_ADDED, {"id": private["id"]})
        await socket.subscribe("2", MESSAGE_ADDED, {"id": shared["id"]})
        await listening(app, subscribers=2)

        await chat.post(world.editor.token, private["id"], "Secret")
        await chat.post(world.editor.token, shared["id"], "Public")
        received = await socket.receive()

    assert received["id"] == "2"
    assert received["payload"]["data"]["messageAdded"]["message"]["body"] == "Public"
