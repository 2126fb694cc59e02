"""`conversationRestore`: bring a deleted conversation back (its owner or an admin)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.conversation.access import manage_refusal
from graph.conversation.types import Conversation
from graph.core.errors import NotFound, PermissionDenied, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWriteOwnAccount
from persistence.conversation.repository import ConversationRepository

AUDITED = ("deleted_at",)


@strawberry.input(description="The conversation to restore.")
class ConversationRestoreInput:
    id: relay.GlobalID = strawberry.field(description="The deleted conversation.")


@strawberry.type(description="The conversation is back.")
class ConversationRestoreSuccess:
    conversation: Conversation = strawberry.field(description="The restored conversation.")


ConversationRestoreResult = Annotated[
    ConversationRestoreSuccess | ValidationError | NotFound | PermissionDenied,
    strawberry.union("ConversationRestoreResult", description="The conversation, or why not."),
]


async def resolve(
    info: strawberry.Info, input: ConversationRestoreInput
) -> ConversationRestoreResult:
    async def work(m: MutationContext) -> ConversationRestoreSuccess | PermissionDenied:
        conversations = ConversationRepository(m.session, m.scope)
        conversation_id = row_id(input.id, "Conversation", field="id")
        current = await conversations.get(conversation_id, include_deleted=True)
        if (refused := manage_refusal(m, current)) is not None:
            return refused
        before = snapshot(current, AUDITED)
        restored = await conversations.restore(conversation_id)
        changed = diff(before, snapshot(restored, AUDITED))
        await m.audit("conversationRestore", "Conversation", conversation_id, changed)
        return ConversationRestoreSuccess(conversation=restored)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Restore a deleted conversation and its messages (its owner or an admin).",
    permission_classes=[CanWriteOwnAccount],
)
