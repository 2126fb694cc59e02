"""Conversations compile: the compiled read path answers exactly as the reference, in one
statement, and the reference batches nested conversations → messages → citations →
documents into a fixed number of statements whatever the page sizes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures.statements import StatementCounter
from tests.graph.compiler.conftest import Both, same
from tests.graph.conftest import GraphQLClient, World
from tests.graph.conversation.conftest import Chat

THREAD = """
query Thread($id: ID!, $last: Int, $before: String) {
  conversation(id: $id) {
    id title visibility archived lastActivityAt version
    owner { username }
    participants { username }
    contextDocument { title }
    messages(last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        id position role body model promptTokens completionTokens editedAt deletedAt
        author { username }
        citations {
          rank spanStart spanEnd document { title owner { username } } knowledgeNode { label }
        }
      } }
    }
  }
}
"""
INBOX = """
query Inbox($first: Int, $messages: Int) {
  conversations(first: $first, filter: {archived: false}) {
    totalCount
    edges { node {
      title lastActivityAt
      messages(last: $messages) { totalCount edges { node {
        body author { username } citations { rank document { title owner { username } } }
      } } }
    } }
  }
}
"""


async def _thread(chat: Chat, world: World, messages: int = 6) -> dict[str, Any]:
    guide = await chat.document(world.editor, "Guide")
    conversation = await chat.start(
        world.editor, with_=(world.viewer,), contextId=guide, title="Guide questions"
    )
    key = await chat.api_key(world.editor)
    for i in range(messages):
        if i % 2:
            cited = [{"documentId": guide, "spanStart": 0, "spanEnd": i}]
            await chat.post(key, conversation["id"], f"Answer {i}", citations=cited, model="m1")
        else:
            await chat.post(world.viewer.token, conversation["id"], f"Question {i}")
    return conversation


@pytest.mark.parametrize("principal", ["editor", "viewer", "admin"])
async def test_a_conversation_page_compiles_to_the_reference_answer_both_ways(
    chat: Chat, both: Both, world: World, principal: str
) -> None:
    conversation = await _thread(chat, world)
    token = world.members[principal].token

    newest = await both(THREAD, {"id": conversation["id"], "last": 4}, token=token)
    same(*newest)
    data = newest[0].json["data"]["conversation"]
    if data is None:  # PRIVATE: the admin takes no part
        assert principal == "admin"
        return
    start = data["messages"]["pageInfo"]["startCursor"]
    older = await both(THREAD, {"id": conversation["id"], "last": 4, "before": start}, token=token)
    same(*older)
    assert len(older[0].json["data"]["conversation"]["messages"]["edges"]) == 2


async def test_a_conversation_list_compiles_to_the_reference_answer(
    chat: Chat, both: Both, world: World
) -> None:
    await _thread(chat, world)
    await chat.start(world.viewer, title="Empty", visibility="ORGANIZATION")

    for member in (world.viewer, world.admin):
        same(*await both(INBOX, {"first": 5, "messages": 3}, token=member.token))


async def _count(
    gql: GraphQLClient, statements: StatementCounter, variables: dict[str, Any], token: str
) -> int:
    await gql(INBOX, variables, token=token)  # the steady state: a caller the server knows
    statements.reset()
    result = await gql(INBOX, variables, token=token)
    assert "errors" not in result, result["errors"]
    return statements.count


async def test_nested_conversations_messages_citations_documents_take_fixed_statements(
    chat: Chat,
    gql: GraphQLClient,
    both: Both,
    world: World,
    statements: StatementCounter,
) -> None:
    for _ in range(3):
        await _thread(chat, world, messages=4)
    token = world.viewer.token

    compiled = await _count(gql, statements, {"first": 3, "messages": 4}, token)
    reference: list[int] = []
    for variables in ({"first": 1, "messages": 2}, {"first": 3, "messages": 4}):
        await both.send(both.reference, INBOX, variables, token)
        statements.reset()
        await both.send(both.reference, INBOX, variables, token)
        reference.append(statements.count)

    assert compiled == 1
    assert reference[0] == reference[1], (
        f"{reference[0]} at the smaller page, {reference[1]} at the larger"
    )
