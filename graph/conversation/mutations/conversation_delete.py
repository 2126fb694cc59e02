"""`conversationDelete`: soft-delete a conversation (its owner or an admin)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.conversation.access import manage_refusal
from graph.conversation.types import Conversation
from graph.core.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWriteOwnAccount
from persistence.conversation.repository import ConversationRepository

AUDITED = ("deleted_at",)


@strawberry.input(description="The conversation to delete.")
class ConversationDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The conversation.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="The version you read, if you want a VersionConflict when it is stale.",
    )


@strawberry.type(description="The conversation was deleted; conversationRestore undoes it.")
class ConversationDeleteSuccess:
    conversation: Conversation = strawberry.field(description="It, with `deletedAt`.")


ConversationDeleteResult = Annotated[
    ConversationDeleteSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("ConversationDeleteResult", description="The conversation, or why not."),
]


async def resolve(
    info: strawberry.Info, input: ConversationDeleteInput
) -> ConversationDeleteResult:
    async def work(m: MutationContext) -> ConversationDeleteSuccess | PermissionDenied:
        conversations = ConversationRepository(m.session, m.scope)
        conversation_id = row_id(input.id, "Conversation", field="id")
        current = await conversations.get(conversation_id)
        if (refused := manage_refusal(m, current)) is not None:
            return refused
        before = snapshot(current, AUDITED)
        deleted = await conversations.soft_delete(
            conversation_id, expected_version=input.expected_version
        )
        changed = diff(before, snapshot(deleted, AUDITED))
        await m.audit("conversationDelete", "Conversation", conversation_id, changed)
        return ConversationDeleteSuccess(conversation=deleted)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Soft-delete a conversation with its messages (its owner or an admin); "
        "conversationRestore brings it back."
    ),
    permission_classes=[CanWriteOwnAccount],
)
