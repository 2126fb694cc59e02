"""Who may do what in a conversation: its owner and admins manage it, participants post,
an API key with the `write` scope posts as the assistant, authors edit their messages."""

from __future__ import annotations

from typing import Any

from strawberry import relay

from graph.conversation.inputs import CONTEXT_TYPES
from graph.core.errors import PermissionDenied
from graph.core.ids import row_id
from graph.core.mutations import MutationContext
from persistence import errors as domain
from persistence.collection.repository import CollectionRepository
from persistence.conversation.models import Conversation, Message
from persistence.conversation.repository import ConversationRepository
from persistence.document.repository import DocumentRepository
from persistence.knowledge.repository import KnowledgeNodeRepository

CONTEXT_REPOSITORIES: dict[str, Any] = {
    "Collection": CollectionRepository,
    "Document": DocumentRepository,
    "KnowledgeNode": KnowledgeNodeRepository,
}


def manage_refusal(m: MutationContext, conversation: Conversation) -> PermissionDenied | None:
    """PermissionDenied unless the caller owns the conversation or is an admin."""
    if conversation.owner_id == m.viewer.user_id or m.viewer.is_admin:
        return None
    return PermissionDenied(message="only the conversation's owner or an admin may do this")


async def post_refusal(m: MutationContext, conversation: Conversation) -> PermissionDenied | None:
    """PermissionDenied unless the caller is a participant or an API key (the assistant)."""
    if m.viewer.api_key_id is not None:
        return None
    conversations = ConversationRepository(m.session, m.scope)
    if await conversations.is_participant(conversation.id, m.viewer.user_id):
        return None
    return PermissionDenied(message="only participants may post in this conversation")


def authored_by_caller(m: MutationContext, message: Message) -> bool:
    """Whether the caller's credential wrote the message: the same API key, or the same
    person signed in."""
    if m.viewer.api_key_id is not None:
        return message.author_api_key_id == m.viewer.api_key_id
    return message.author_api_key_id is None and message.author_user_id == m.viewer.user_id


async def context_columns(m: MutationContext, context_id: relay.GlobalID | None) -> dict[str, Any]:
    """The context columns for a collection, document or knowledge node the caller can see
    (all null for none)."""
    columns: dict[str, Any] = dict.fromkeys(CONTEXT_TYPES.values())
    if context_id is None:
        return columns
    type_name = context_id.type_name
    if type_name not in CONTEXT_TYPES:
        raise domain.ValidationError(
            "contextId", "contextId must be the id of a Collection, Document or KnowledgeNode"
        )
    id = row_id(context_id, type_name, field="contextId")
    await CONTEXT_REPOSITORIES[type_name](m.session, m.scope).get(id)
    columns[CONTEXT_TYPES[type_name]] = id
    return columns
