"""`conversationCreate`: a new conversation, its owner and invited users taking part."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.conversation.access import context_columns
from graph.conversation.types import Conversation
from graph.core.enums import Visibility
from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWriteOwnAccount
from persistence import errors as domain
from persistence.collection.models import Visibility as Visible
from persistence.conversation.repository import ConversationRepository

AUDITED = ("title", "visibility", "context_collection_id", "context_document_id")
AUDITED += ("context_node_id", "owner_id")


@strawberry.input(description="A new conversation.")
class ConversationCreateInput:
    title: str = strawberry.field(description="What it is about (not blank).")
    visibility: Visibility = strawberry.field(
        default=Visible.PRIVATE, description="PRIVATE (participants only) or ORGANIZATION."
    )
    context_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The collection, document or knowledge node it is about."
    )
    participant_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="Users taking part besides you."
    )


@strawberry.type(description="The conversation was started.")
class ConversationCreateSuccess:
    conversation: Conversation = strawberry.field(description="The new conversation.")


ConversationCreateResult = Annotated[
    ConversationCreateSuccess | ValidationError | NotFound,
    strawberry.union("ConversationCreateResult", description="The conversation, or why not."),
]


async def resolve(
    info: strawberry.Info, input: ConversationCreateInput
) -> ConversationCreateResult:
    async def work(m: MutationContext) -> ConversationCreateSuccess:
        if m.viewer.user_id is None:
            raise domain.ValidationError("input", "a conversation needs a user to own it")
        conversations = ConversationRepository(m.session, m.scope)
        invited = [row_id(i, "User", field="participantIds") for i in input.participant_ids]
        conversation = await conversations.create(
            title=input.title,
            visibility=input.visibility,
            owner_id=m.viewer.user_id,
            **await context_columns(m, input.context_id),
        )
        await conversations.add_participants(conversation.id, [m.viewer.user_id, *invited])
        changes = diff({}, snapshot(conversation, AUDITED))
        await m.audit("conversationCreate", "Conversation", conversation.id, changes)
        return ConversationCreateSuccess(conversation=conversation)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Start a conversation owned by the caller, who takes part in it (any role, with a "
        "write-scoped credential). A context or participant the caller cannot see is NotFound."
    ),
    permission_classes=[CanWriteOwnAccount],
)
