"""`messagePost`: a participant's message, or an assistant's answer with its sources."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.conversation.access import post_refusal
from graph.conversation.citations import CitationInput, checked_sources
from graph.conversation.types import Message, MessageRole
from graph.core.errors import NotFound, PermissionDenied, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from persistence import errors as domain
from persistence.conversation.messages import MessageRepository
from persistence.conversation.models import MessageRole as Role
from persistence.conversation.repository import ConversationRepository

MAX_BODY = 100_000


@strawberry.input(description="A new message.")
class MessagePostInput:
    conversation_id: relay.GlobalID = strawberry.field(description="Where to post.")
    body: str = strawberry.field(description="Markdown (not blank).")
    role: MessageRole | None = strawberry.field(
        default=None,
        description="USER by default for people; an API key always posts as ASSISTANT; "
        "SYSTEM only by the owner or an admin.",
    )
    citations: list[CitationInput] = strawberry.field(
        default_factory=list, description="The sources relied on, most relied-on first."
    )
    prompt_tokens: int | None = strawberry.field(default=None, description="Prompt tokens.")
    completion_tokens: int | None = strawberry.field(default=None, description="Answer tokens.")
    model: str | None = strawberry.field(default=None, description="The model that answered.")


@strawberry.type(description="The message was posted.")
class MessagePostSuccess:
    message: Message = strawberry.field(description="The new message.")


MessagePostResult = Annotated[
    MessagePostSuccess | ValidationError | NotFound | PermissionDenied,
    strawberry.union("MessagePostResult", description="The message, or why not."),
]


def _role_refusal(m: MutationContext, asked: Role | None, owner_id: object) -> str | None:
    """Why the caller may not post as `asked`, or None."""
    if m.viewer.api_key_id is not None:
        return None if asked in (None, Role.ASSISTANT) else "an API key posts as ASSISTANT only"
    if asked == Role.SYSTEM and owner_id != m.viewer.user_id and not m.viewer.is_admin:
        return "only the conversation's owner or an admin may post as SYSTEM"
    return None


async def resolve(info: strawberry.Info, input: MessagePostInput) -> MessagePostResult:
    async def work(m: MutationContext) -> MessagePostSuccess | PermissionDenied:
        conversation_id = row_id(input.conversation_id, "Conversation", field="conversationId")
        if not input.body.strip() or len(input.body) > MAX_BODY:
            raise domain.ValidationError("body", f"body must have 1 to {MAX_BODY} characters")
        conversation = await ConversationRepository(m.session, m.scope).get(conversation_id)
        if (refused := await post_refusal(m, conversation)) is not None:
            return refused
        asked = Role(input.role.value) if input.role is not None else None
        if (why := _role_refusal(m, asked, conversation.owner_id)) is not None:
            return PermissionDenied(message=why)
        by_key = m.viewer.api_key_id is not None
        role = Role.ASSISTANT if by_key else asked or Role.USER
        message = await MessageRepository(m.session, m.scope).post(
            conversation_id,
            role=role,
            author_user_id=None if by_key else m.viewer.user_id,
            author_api_key_id=m.viewer.api_key_id,
            body=input.body,
            citations=await checked_sources(m, input.citations),
            prompt_tokens=input.prompt_tokens,
            completion_tokens=input.completion_tokens,
            model_name=input.model,
        )
        changes = {"conversation_id": {"old": None, "new": str(conversation_id)}}
        changes["citations"] = {"old": None, "new": len(input.citations)}
        await m.audit("messagePost", "Message", message.id, changes)
        return MessagePostSuccess(message=message)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Post a message: participants post (any role, write scope); an API key with the "
        "`write` scope posts the assistant's answer. Citations the caller cannot see are "
        "NotFound; an archived conversation refuses with ValidationError."
    ),
    permission_classes=[CanWriteOwnAccount],
)
