"""`conversationUpdate`: retitle a conversation, change who sees it or what it is about."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph.conversation.access import context_columns, manage_refusal
from graph.conversation.types import Conversation
from graph.core.enums import Visibility
from graph.core.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWriteOwnAccount
from persistence import errors as domain
from persistence.conversation.repository import ConversationRepository

AUDITED = ("title", "visibility", "context_collection_id", "context_document_id")
AUDITED += ("context_node_id",)


@strawberry.input(description="Fields to change; leave out what stays the same.")
class ConversationUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The conversation.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    visibility: Visibility | None = strawberry.field(
        default=strawberry.UNSET, description="New visibility."
    )
    context_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="New context; null removes it."
    )


@strawberry.type(description="The conversation was changed.")
class ConversationUpdateSuccess:
    conversation: Conversation = strawberry.field(description="The conversation as it is now.")


ConversationUpdateResult = Annotated[
    ConversationUpdateSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("ConversationUpdateResult", description="The conversation, or why not."),
]


async def _changes(m: MutationContext, input: ConversationUpdateInput) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in ("title", "visibility"):
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        if value is None:
            raise domain.ValidationError(name, f"{name} cannot be null")
        changes[name] = value
    if input.context_id is not strawberry.UNSET:
        changes.update(await context_columns(m, input.context_id))
    return changes


async def resolve(
    info: strawberry.Info, input: ConversationUpdateInput
) -> ConversationUpdateResult:
    async def work(m: MutationContext) -> ConversationUpdateSuccess | PermissionDenied:
        conversations = ConversationRepository(m.session, m.scope)
        conversation_id = row_id(input.id, "Conversation", field="id")
        current = await conversations.get(conversation_id)
        if (refused := manage_refusal(m, current)) is not None:
            return refused
        before = snapshot(current, AUDITED)
        updated = await conversations.update(
            conversation_id, expected_version=input.expected_version, **await _changes(m, input)
        )
        changed = diff(before, snapshot(updated, AUDITED))
        await m.audit("conversationUpdate", "Conversation", conversation_id, changed)
        return ConversationUpdateSuccess(conversation=updated)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Change a conversation (its owner or an admin), checking `expectedVersion`.",
    permission_classes=[CanWriteOwnAccount],
)
