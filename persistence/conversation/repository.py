"""Conversations: who may see them (PRIVATE ones: their participants only), their
participants, and the position each new message takes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, any_, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from persistence.collection.models import Visibility
from persistence.conversation.models import Conversation, ConversationParticipant
from persistence.errors import NotFound, ValidationError
from persistence.ids import new_id
from persistence.relation import Rows, Through
from persistence.repository import Repository, contains_text, given, uuid_array
from persistence.user.repository import UserRepository


@dataclass(frozen=True)
class ConversationFilter:
    participant_id: uuid.UUID | None = None
    context_collection_id: uuid.UUID | None = None
    context_document_id: uuid.UUID | None = None
    context_node_id: uuid.UUID | None = None
    archived: bool | None = None
    search: str | None = None


def participates(conversation_id: Any, user_id: Any, organization_id: Any) -> ColumnElement[bool]:
    """Whether `user_id` takes part in the conversation: one probe of the pair index."""
    P = ConversationParticipant
    return exists().where(
        P.organization_id == organization_id,
        P.conversation_id == conversation_id,
        P.user_id == user_id,
    )


class ConversationRepository(Repository[Conversation]):
    """Conversations; a PRIVATE one exists only for its participants (admins included:
    a private chat is not the organization's content)."""

    model = Conversation
    entity = "conversation"
    sort_keys = {
        "last_activity_at": Conversation.last_activity_at,
        "created_at": Conversation.created_at,
        "title": Conversation.title,
    }

    def visible(self) -> list[ColumnElement[bool]]:
        if self.scope.user_id is None and self.scope.is_admin:
            return []  # the system scope (CLI, seeds)
        shared = Conversation.visibility == Visibility.ORGANIZATION
        if self.scope.user_id is None:
            return [shared]
        org = self.scope.organization_id
        return [or_(shared, participates(Conversation.id, self.scope.user_id, org))]

    def filters(self, filter: ConversationFilter) -> list[Any]:
        clauses: list[Any] = []
        org = self.scope.organization_id
        if filter.participant_id is not None:
            clauses.append(participates(Conversation.id, filter.participant_id, org))
        for column, value in (
            (Conversation.context_collection_id, filter.context_collection_id),
            (Conversation.context_document_id, filter.context_document_id),
            (Conversation.context_node_id, filter.context_node_id),
        ):
            if value is not None:
                clauses.append(column == value)
        if filter.archived is not None:
            clauses.append(Conversation.archived.is_(filter.archived))
        if given(filter.search):
            clauses.append(contains_text(Conversation.title, filter.search))
        return clauses

    async def is_participant(self, conversation_id: uuid.UUID, user_id: uuid.UUID | None) -> bool:
        """Whether the user takes part in the conversation."""
        if user_id is None:
            return False
        org = self.scope.organization_id
        return bool(await self.session.scalar(select(participates(conversation_id, user_id, org))))

    async def add_participants(
        self, conversation_id: uuid.UUID, user_ids: Sequence[uuid.UUID]
    ) -> None:
        """Add live users of the organization (present ones stay); two statements."""
        wanted = list(dict.fromkeys(user_ids))
        found = await UserRepository(self.session, self.scope).get_many(wanted)
        for user_id, user in zip(wanted, found, strict=True):
            if user is None:
                raise NotFound("user", user_id, field="userIds")
        rows = [
            {
                "id": new_id(),
                "organization_id": self.scope.organization_id,
                "conversation_id": conversation_id,
                "user_id": user_id,
            }
            for user_id in wanted
        ]
        if rows:
            await self._run(insert(ConversationParticipant).on_conflict_do_nothing(), rows)

    async def remove_participants(
        self, conversation: Conversation, user_ids: Sequence[uuid.UUID]
    ) -> None:
        """Remove participants in one statement; the owner always stays."""
        if conversation.owner_id in user_ids:
            raise ValidationError("userIds", "the owner cannot leave their conversation")
        P = ConversationParticipant
        await self.session.execute(
            delete(P).where(
                P.organization_id == self.scope.organization_id,
                P.conversation_id == conversation.id,
                P.user_id == any_(uuid_array("user_ids", user_ids)),
            )
        )

    async def take_position(self, conversation_id: uuid.UUID) -> int:
        """The next message position of a live, unarchived conversation, and its activity
        now. The UPDATE's row lock orders concurrent posts: positions never collide, and a
        later position commits after an earlier one, so a keyset page never skips one."""
        stmt = (
            update(Conversation)
            .where(
                Conversation.organization_id == self.scope.organization_id,
                Conversation.id == conversation_id,
                Conversation.deleted_at.is_(None),
                *self.visible(),
            )
            .values(
                message_count=Conversation.message_count + 1,
                last_activity_at=func.clock_timestamp(),
            )
            .returning(Conversation.message_count, Conversation.archived)
        )
        found = (await self._run(stmt)).first()
        if found is None:
            raise NotFound(self.entity, conversation_id)
        if found.archived:
            raise ValidationError("conversationId", "the conversation is archived")
        return int(found.message_count)


CONVERSATION_BY_ID = Rows(ConversationRepository)
PARTICIPANTS = Rows(
    UserRepository,
    many=True,
    order=("username", "id"),
    through=Through(ConversationParticipant, "conversation_id", "user_id"),
)
