"""Messages and their citations: ordered by position inside a conversation, edited under
optimistic locking, deleted as tombstones (no body, a `deleted_at`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func

from persistence.conversation.models import Citation, Message, MessageRole
from persistence.conversation.repository import ConversationRepository
from persistence.relation import Count, Rows
from persistence.repository import Repository


@dataclass(frozen=True)
class MessageFilter:
    conversation_id: Any = None


@dataclass(frozen=True)
class CitationSource:
    """One citation as posted: a document (with an optional span or annotation) or a node."""

    document_id: uuid.UUID | None = None
    annotation_id: uuid.UUID | None = None
    span_start: int | None = None
    span_end: int | None = None
    knowledge_node_id: uuid.UUID | None = None


class MessageRepository(Repository[Message]):
    """Messages exist for whoever may see their live conversation; deleted ones stay in
    every read as tombstones, so positions and pages never shift under a reader."""

    model = Message
    entity = "message"
    sort_keys = {"position": Message.position}

    def select(self, *, include_deleted: bool = True, filter: Any = None) -> Select[Any]:
        return super().select(include_deleted=True, filter=filter)

    def visible(self) -> list[ColumnElement[bool]]:
        conversations = ConversationRepository(self.session, self.scope)
        live = conversations.select().where(
            conversations.model.id == Message.conversation_id  # type: ignore[attr-defined]
        )
        return [live.exists()]

    def filters(self, filter: MessageFilter) -> list[Any]:
        if filter.conversation_id is None:
            return []
        return [Message.conversation_id == filter.conversation_id]

    async def post(
        self,
        conversation_id: uuid.UUID,
        *,
        role: MessageRole,
        author_user_id: uuid.UUID | None,
        author_api_key_id: uuid.UUID | None,
        body: str,
        citations: Sequence[CitationSource] = (),
        **metadata: Any,
    ) -> Message:
        """Append a message with its citations (ranked in the order given); three statements."""
        position = await ConversationRepository(self.session, self.scope).take_position(
            conversation_id
        )
        message = await self.create(
            conversation_id=conversation_id,
            position=position,
            role=role,
            author_user_id=author_user_id,
            author_api_key_id=author_api_key_id,
            body=body,
            **metadata,
        )
        rows = [
            {"message_id": message.id, "rank": rank, **vars(source)}
            for rank, source in enumerate(citations, start=1)
        ]
        await CitationRepository(self.session, self.scope).create_many(rows)
        return message

    async def edit(self, id: uuid.UUID, *, expected_version: int, body: str) -> Message:
        """A new body if nobody changed the message since it was read; `edited_at` set."""
        return await self.update(
            id, expected_version=expected_version, body=body, edited_at=func.clock_timestamp()
        )

    async def tombstone(self, id: uuid.UUID, *, expected_version: int | None) -> Message:
        """Delete a message's body and citations; its place stays, marked deleted."""
        message = await self.update(
            id, expected_version=expected_version, body=None, deleted_at=func.clock_timestamp()
        )
        await self.session.execute(
            delete(Citation).where(
                Citation.organization_id == self.scope.organization_id, Citation.message_id == id
            )
        )
        return message


class CitationRepository(Repository[Citation]):
    """Citations are read only through their (visible) messages."""

    model = Citation
    entity = "citation"
    sort_keys = {"rank": Citation.rank}


MESSAGE_BY_ID = Rows(MessageRepository)
CITATIONS_BY_MESSAGE = Rows(CitationRepository, key="message_id", many=True, order=("rank",))
MESSAGE_COUNT_BY_CONVERSATION = Count(Rows(MessageRepository, key="conversation_id", many=True))
