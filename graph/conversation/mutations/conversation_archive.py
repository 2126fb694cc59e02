"""`conversationArchive`: archive a conversation (no new messages) or bring it back."""

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

AUDITED = ("archived",)


@strawberry.input(description="The conversation to archive or unarchive.")
class ConversationArchiveInput:
    id: relay.GlobalID = strawberry.field(description="The conversation.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    archived: bool = strawberry.field(default=True, description="false brings it back.")


@strawberry.type(description="The conversation was archived or unarchived.")
class ConversationArchiveSuccess:
    conversation: Conversation = strawberry.field(description="The conversation as it is now.")


ConversationArchiveResult = Annotated[
    ConversationArchiveSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("ConversationArchiveResult", description="The conversation, or why not."),
]


async def resolve(
    info: strawberry.Info, input: ConversationArchiveInput
) -> ConversationArchiveResult:
    async def work(m: MutationContext) -> ConversationArchiveSuccess | PermissionDenied:
        conversations = ConversationRepository(m.session, m.scope)
        conversation_id = row_id(input.id, "Conversation", field="id")
        current = await conversations.get(conversation_id)
        if (refused := manage_refusal(m, current)) is not None:
            return refused
        before = snapshot(current, AUDITED)
        updated = await conversations.update(
            conversation_id, expected_version=input.expected_version, archived=input.archived
        )
        changed = diff(before, snapshot(updated, AUDITED))
        await m.audit("conversationArchive", "Conversation", conversation_id, changed)
        return ConversationArchiveSuccess(conversation=updated)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Archive a conversation (its owner or an admin): it stays readable but takes no new "
        "messages. `archived: false` unarchives it."
    ),
    permission_classes=[CanWriteOwnAccount],
)
