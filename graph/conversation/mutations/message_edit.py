"""`messageEdit`: the author changes a message's body, if nobody changed it meanwhile."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.conversation.access import authored_by_caller
from graph.conversation.mutations.message_post import MAX_BODY
from graph.conversation.types import Message
from graph.core.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWriteOwnAccount
from persistence import errors as domain
from persistence.conversation.messages import MessageRepository

AUDITED = ("body",)


@strawberry.input(description="A message's new body.")
class MessageEditInput:
    id: relay.GlobalID = strawberry.field(description="The message.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    body: str = strawberry.field(description="The new Markdown body (not blank).")


@strawberry.type(description="The message was edited.")
class MessageEditSuccess:
    message: Message = strawberry.field(description="The message, with `editedAt`.")


MessageEditResult = Annotated[
    MessageEditSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("MessageEditResult", description="The edited message, or why not."),
]


async def resolve(info: strawberry.Info, input: MessageEditInput) -> MessageEditResult:
    async def work(m: MutationContext) -> MessageEditSuccess | PermissionDenied:
        messages = MessageRepository(m.session, m.scope)
        message_id = row_id(input.id, "Message", field="id")
        if not input.body.strip() or len(input.body) > MAX_BODY:
            raise domain.ValidationError("body", f"body must have 1 to {MAX_BODY} characters")
        current = await messages.get(message_id)
        if current.deleted_at is not None:
            raise domain.NotFound("message", message_id)
        if not authored_by_caller(m, current):
            return PermissionDenied(message="only its author may edit a message")
        before = snapshot(current, AUDITED)
        edited = await messages.edit(
            message_id, expected_version=input.expected_version, body=input.body
        )
        await m.audit("messageEdit", "Message", message_id, diff(before, snapshot(edited, AUDITED)))
        return MessageEditSuccess(message=edited)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Edit a message you wrote, checking `expectedVersion` (no update is lost).",
    permission_classes=[CanWriteOwnAccount],
)
