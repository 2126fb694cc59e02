"""`conversationParticipantsRemove`: users stop taking part (or the caller leaves)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.conversation.access import manage_refusal
from graph.conversation.types import Conversation
from graph.core.errors import NotFound, PermissionDenied, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from persistence.conversation.repository import ConversationRepository


@strawberry.input(description="Users to remove from a conversation.")
class ConversationParticipantsRemoveInput:
    conversation_id: relay.GlobalID = strawberry.field(description="The conversation.")
    user_ids: list[relay.GlobalID] = strawberry.field(
        description="The users (never the owner); only yourself unless you manage it."
    )


@strawberry.type(description="The users no longer take part.")
class ConversationParticipantsRemoveSuccess:
    conversation: Conversation | None = strawberry.field(
        description="The conversation; null when you left a PRIVATE one."
    )


ConversationParticipantsRemoveResult = Annotated[
    ConversationParticipantsRemoveSuccess | ValidationError | NotFound | PermissionDenied,
    strawberry.union(
        "ConversationParticipantsRemoveResult", description="The conversation, or why not."
    ),
]


async def resolve(
    info: strawberry.Info, input: ConversationParticipantsRemoveInput
) -> ConversationParticipantsRemoveResult:
    async def work(
        m: MutationContext,
    ) -> ConversationParticipantsRemoveSuccess | PermissionDenied:
        conversations = ConversationRepository(m.session, m.scope)
        conversation_id = row_id(input.conversation_id, "Conversation", field="conversationId")
        current = await conversations.get(conversation_id)
        user_ids = [row_id(i, "User", field="userIds") for i in input.user_ids]
        leaving = set(user_ids) == {m.viewer.user_id}
        if not leaving and (refused := manage_refusal(m, current)) is not None:
            return refused
        await conversations.remove_participants(current, user_ids)
        removed = {"participants": {"old": [str(i) for i in user_ids], "new": None}}
        await m.audit("conversationParticipantsRemove", "Conversation", conversation_id, removed)
        (still,) = await conversations.get_many([conversation_id])
        return ConversationParticipantsRemoveSuccess(conversation=still)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Remove participants (the conversation's owner or an admin); any participant may "
        "remove themselves. The owner always stays."
    ),
    permission_classes=[CanWriteOwnAccount],
)
