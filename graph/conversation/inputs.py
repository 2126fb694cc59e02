"""Arguments of the conversation queries."""

from __future__ import annotations

import enum

import strawberry
from strawberry import relay

from graph.core.errors import BadUserInput
from graph.core.ids import query_row_id
from graph.core.pagination import OrderDirection
from persistence.conversation import repository

CONTEXT_TYPES = {
    "Collection": "context_collection_id",
    "Document": "context_document_id",
    "KnowledgeNode": "context_node_id",
}


@strawberry.enum(description="What conversations can be ordered by.")
class ConversationOrderField(enum.Enum):
    LAST_ACTIVITY_AT = "last_activity_at"
    CREATED_AT = "created_at"
    TITLE = "title"


@strawberry.input(description="The order of a conversation list.")
class ConversationOrder:
    field: ConversationOrderField = strawberry.field(
        default=ConversationOrderField.LAST_ACTIVITY_AT, description="The sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Ascending or descending."
    )


@strawberry.input(description="Which conversations to list; all conditions must hold.")
class ConversationFilter:
    participant_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only conversations this user takes part in."
    )
    context_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only conversations about this collection, document or node."
    )
    archived: bool | None = strawberry.field(
        default=None, description="Only archived (true) or active (false) ones."
    )
    title_contains: str | None = strawberry.field(
        default=None, description="Case-insensitive substring of the title."
    )

    def to_domain(self) -> repository.ConversationFilter:
        context = {}
        if self.context_id is not None:
            column = CONTEXT_TYPES.get(self.context_id.type_name)
            if column is None:
                raise BadUserInput(
                    "contextId must be the id of a Collection, Document or KnowledgeNode",
                    "contextId",
                )
            type_name = self.context_id.type_name
            context[column] = query_row_id(self.context_id, type_name, field="contextId")
        return repository.ConversationFilter(
            participant_id=query_row_id(self.participant_id, "User", field="participantId"),
            archived=self.archived,
            search=self.title_contains,
            **context,
        )
