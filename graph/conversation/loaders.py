"""Loaders of the conversation domain."""

from __future__ import annotations

from graph.core.child_lists import ChildList, KeysetPerLoader
from graph.core.loaders import CountPerLoader, RelationLoader
from persistence.conversation.messages import (
    CITATIONS_BY_MESSAGE,
    MESSAGE_BY_ID,
    MessageFilter,
    MessageRepository,
)
from persistence.conversation.repository import CONVERSATION_BY_ID, PARTICIPANTS
from persistence.pagination import Order


class ConversationByIdLoader(RelationLoader):
    relation = CONVERSATION_BY_ID


class ParticipantsByConversationLoader(RelationLoader):
    relation = PARTICIPANTS


class MessageByIdLoader(RelationLoader):
    relation = MESSAGE_BY_ID


class CitationsByMessageLoader(RelationLoader):
    relation = CITATIONS_BY_MESSAGE


class MessageCountByConversationLoader(CountPerLoader):
    repository = MessageRepository
    column = "conversation_id"


class MessagesByConversationLoader(KeysetPerLoader):
    """A conversation's messages in position order, paged both ways."""

    declaration = ChildList(
        MessageRepository,
        column="conversation_id",
        order=Order("position"),
        filter=lambda conversation_id: MessageFilter(conversation_id=conversation_id),
    )
    counter = MessageCountByConversationLoader
