"""`messageDelete`: a message becomes a tombstone (no body, no citations, `deletedAt`)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.conversation.access import authored_by_caller, manage_refusal
from graph.conversation.types import Message
from graph.core.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from persistence import errors as domain
from persistence.conversation.messages import MessageRepository
from persistence.conversation.repository import ConversationRepository


@strawberry.input(description="The message to delete.")
class MessageDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The message.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="The version you read, if you want a VersionConflict when it is stale.",
    )


@strawberry.type(description="The message is a tombstone now.")
class MessageDeleteSuccess:
    message: Message = strawberry.field(description="The tombstone: no body, `deletedAt` set.")


MessageDeleteResult = Annotated[
    MessageDeleteSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("MessageDeleteResult", description="The tombstone, or why not."),
]


async def resolve(info: strawberry.Info, input: MessageDeleteInput) -> MessageDeleteResult:
    async def work(m: MutationContext) -> MessageDeleteSuccess | PermissionDenied:
        messages = MessageRepository(m.session, m.scope)
        message_id = row_id(input.id, "Message", field="id")
        current = await messages.get(message_id)
        if current.deleted_at is not None:
            raise domain.NotFound("message", message_id)
        conversation = await ConversationRepository(m.session, m.scope).get(current.conversation_id)
        if not authored_by_caller(m, current) and manage_refusal(m, conversation) is not None:
            return PermissionDenied(
                message="only its author, the conversation's owner or an admin may delete it"
            )
        deleted = await messages.tombstone(message_id, expected_version=input.expected_version)
        await m.audit("messageDelete", "Message", message_id, {"body": {"old": "…", "new": None}})
        return MessageDeleteSuccess(message=deleted)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Delete a message (its author, the conversation's owner or an admin): it stays in "
        "place as a tombstone, without body or citations."
    ),
    permission_classes=[CanWriteOwnAccount],
)
