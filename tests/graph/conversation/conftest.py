"""Givens of the conversation tests: conversations and documents written through the API,
as a chat frontend does, in the test organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.graph.compiler.conftest import both, reference_app  # noqa: F401 (fixtures)
from tests.graph.conftest import GraphQLClient, Member, World

CREATE = """
mutation Start($input: ConversationCreateInput!) {
  conversationCreate(input: $input) {
    __typename
    ... on ConversationCreateSuccess { conversation { id version } }
  }
}
"""
POST = """
mutation Post($input: MessagePostInput!) {
  messagePost(input: $input) {
    __typename
    ... on MessagePostSuccess { message { id position role version body } }
    ... on Error { reason: message }
  }
}
"""
DOCUMENT = """
mutation Doc($input: DocumentCreateInput!) {
  documentCreate(input: $input) { ... on DocumentCreateSuccess { document { id } } }
}
"""
KEY = """
mutation Key { apiKeyCreate(input: {name: "assistant", scopes: [READ, WRITE]}) {
  ... on ApiKeyCreateSuccess { secret }
} }
"""


@dataclass
class Chat:
    """Starts conversations, posts messages and creates documents through the API."""

    gql: GraphQLClient
    world: World

    async def start(
        self, by: Member, *, title: str = "Onboarding", with_: tuple[Member, ...] = (), **extra: Any
    ) -> dict[str, Any]:
        input = {"title": title, "participantIds": [m.global_id for m in with_], **extra}
        result = await self.gql(CREATE, {"input": input}, token=by.token)
        payload = result["data"]["conversationCreate"]
        assert payload["__typename"] == "ConversationCreateSuccess", payload
        return payload["conversation"]  # type: ignore[no-any-return]

    async def post(
        self, token: str, conversation_id: str, body: str = "Hello", **extra: Any
    ) -> dict[str, Any]:
        input = {"conversationId": conversation_id, "body": body, **extra}
        result = await self.gql(POST, {"input": input}, token=token)
        assert "errors" not in result, result["errors"]
        return result["data"]["messagePost"]  # type: ignore[no-any-return]

    async def document(self, by: Member, title: str, **extra: Any) -> str:
        result = await self.gql(DOCUMENT, {"input": {"title": title, **extra}}, token=by.token)
        return result["data"]["documentCreate"]["document"]["id"]  # type: ignore[no-any-return]

    async def api_key(self, by: Member) -> str:
        result = await self.gql(KEY, token=by.token)
        return result["data"]["apiKeyCreate"]["secret"]  # type: ignore[no-any-return]


@pytest.fixture
def chat(gql: GraphQLClient, world: World) -> Chat:
    return Chat(gql, world)
