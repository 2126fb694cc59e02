"""`conversationParticipantsAdd`: let more users of the organization take part."""

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


@strawberry.input(description="Users to add to a conversation.")
class ConversationParticipantsAddInput:
    conversation_id: relay.GlobalID = strawberry.field(description="The conversation.")
    user_ids: list[relay.GlobalID] = strawberry.field(
        description="The users; those already taking part stay as they are."
    )


@strawberry.type(description="The users take part now.")
class ConversationParticipantsAddSuccess:
    conversation: Conversation = strawberry.field(description="The conversation.")


ConversationParticipantsAddResult = Annotated[
    ConversationParticipantsAddSuccess | ValidationError | NotFound | PermissionDenied,
    strawberry.union(
        "ConversationParticipantsAddResult", description="The conversation, or why not."
    ),
]


async def resolve(
    info: strawberry.Info, input: ConversationParticipantsAddInput
) -> ConversationParticipantsAddResult:
    async def work(m: MutationContext) -> ConversationParticipantsAddSuccess | PermissionDenied:
        conversations = ConversationRepository(m.session, m.scope)
        conversation_id = row_id(input.conversation_id, "Conversation", field="conversationId")
        current = await conversations.get(conversation_id)
        if (refused := manage_refusal(m, current)) is not None:
            return refused
        user_ids = [row_id(i, "User", field="userIds") for i in input.user_ids]
        await conversations.add_participants(conversation_id, user_ids)
        added = {"participants": {"old": None, "new": [str(i) for i in user_ids]}}
        await m.audit("conversationParticipantsAdd", "Conversation", conversation_id, added)
        return ConversationParticipantsAddSuccess(conversation=current)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Add participants (the conversation's owner or an admin); they may post.",
    permission_classes=[CanWriteOwnAccount],
)
