"""`messageAdded`: new messages of one conversation, for those who may see it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from graph.conversation.types import Message
from graph.core.ids import query_row_id
from graph.core.permissions import IsAuthenticated
from graph.subscription.types import ChangeKind
from graph.subscription.watch import changes
from persistence.changes import CREATED
from persistence.conversation.messages import MessageRepository


@strawberry.type(description="A message was posted, or some were missed.")
class MessageAdded:
    kind: ChangeKind = strawberry.field(description="CREATED, or MISSED_EVENTS.")
    message: Message | None = strawberry.field(
        description="The new message; null only for MISSED_EVENTS."
    )


async def _message(context: Any, id: uuid.UUID, conversation_id: uuid.UUID) -> Any:
    """The message if it belongs to the conversation and the subscriber may see it now."""
    async with context.operation.session() as session:
        (found,) = await MessageRepository(session, context.viewer.scope()).get_many([id])
    return found if found is not None and found.conversation_id == conversation_id else None


@strawberry.type
class MessageSubscriptions:
    @strawberry.subscription(
        description="Messages posted to a conversation you may see, as they commit.",
        permission_classes=[IsAuthenticated],
    )
    async def message_added(
        self,
        info: Info,
        conversation_id: Annotated[
            relay.GlobalID, strawberry.argument(description="The conversation to follow.")
        ],
    ) -> AsyncGenerator[MessageAdded, None]:
        wanted = query_row_id(conversation_id, "Conversation", field="conversationId")
        assert wanted is not None
        async with aclosing(changes(info, frozenset({"Message"}))) as stream:
            async for change in stream:
                if change is None:
                    yield MessageAdded(kind=ChangeKind.MISSED_EVENTS, message=None)
                    continue
                if change.kind != CREATED or change.entity_id is None:
                    continue
                found = await _message(info.context, change.entity_id, wanted)
                if found is not None:
                    yield MessageAdded(kind=ChangeKind.CREATED, message=found)
