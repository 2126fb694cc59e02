"""Conversations, messages and citations as GraphQL types."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from graph.collection.loaders import CollectionByIdLoader
from graph.conversation.loaders import (
    CitationsByMessageLoader,
    ConversationByIdLoader,
    MessageByIdLoader,
    MessagesByConversationLoader,
    ParticipantsByConversationLoader,
)
from graph.core.child_lists import child_connection
from graph.core.enums import Visibility
from graph.core.loaders import related
from graph.core.nodes import LoadedNode
from graph.core.pagination import Connection
from graph.core.types import RowType
from graph.document.loaders import AnnotationByIdLoader, DocumentByIdLoader
from graph.knowledge.loaders import KnowledgeNodeByIdLoader
from graph.user.loaders import ApiKeyByIdLoader, UserOnRecordByIdLoader
from graph.user.types import ApiKey, User
from persistence.conversation import models

if TYPE_CHECKING:
    from graph.collection.types import Collection
    from graph.document.types import Annotation, Document
    from graph.knowledge.types import KnowledgeNode

CollectionRef = Annotated["Collection", strawberry.lazy("graph.collection.types")]
DocumentRef = Annotated["Document", strawberry.lazy("graph.document.types")]
AnnotationRef = Annotated["Annotation", strawberry.lazy("graph.document.types")]
KnowledgeNodeRef = Annotated["KnowledgeNode", strawberry.lazy("graph.knowledge.types")]

MessageRole = strawberry.enum(
    models.MessageRole, description="Who speaks: a person, an assistant, or the system."
)


@strawberry.type(description="A source an answer relied on, with its rank among them.")
class Citation(RowType):
    model = models.Citation

    rank: int = strawberry.field(description="1 for the most relied-on source.")
    span_start: int | None = strawberry.field(description="Where the cited span starts.")
    span_end: int | None = strawberry.field(description="Where the cited span ends.")
    document: DocumentRef | None = related(
        DocumentByIdLoader,
        key="document_id",
        description="The cited document; null for a node, or one you may not see.",
    )
    annotation: AnnotationRef | None = related(
        AnnotationByIdLoader, key="annotation_id", description="The cited annotation, if any."
    )
    knowledge_node: KnowledgeNodeRef | None = related(
        KnowledgeNodeByIdLoader,
        key="knowledge_node_id",
        description="The cited knowledge node; null for a document.",
    )


@strawberry.type(description="One turn of a conversation; a deleted one is a tombstone.")
class Message(RowType, LoadedNode):
    model = models.Message
    loader = MessageByIdLoader

    id: relay.NodeID[str]
    position: int = strawberry.field(description="1, 2, 3 … in the conversation.")
    role: MessageRole = strawberry.field(description="USER, ASSISTANT or SYSTEM.")
    body: str | None = strawberry.field(description="Markdown; null once deleted.")
    prompt_tokens: int | None = strawberry.field(description="Tokens of the prompt, if told.")
    completion_tokens: int | None = strawberry.field(description="Tokens of the answer, if told.")
    model_name: str | None = strawberry.field(
        name="model", description="The model that wrote the answer, if told."
    )
    version: int = strawberry.field(description="Optimistic-locking version; pass it to edit.")
    created_at: datetime = strawberry.field(description="When it was posted.")
    edited_at: datetime | None = strawberry.field(description="When its body last changed.")
    deleted_at: datetime | None = strawberry.field(description="When it was deleted.")
    author: User | None = related(
        UserOnRecordByIdLoader,
        key="author_user_id",
        description="The person who posted it; null when an API key did.",
    )
    api_key: ApiKey | None = related(
        ApiKeyByIdLoader,
        key="author_api_key_id",
        description="The API key that posted it (its owner and admins see it).",
    )
    conversation: Conversation | None = related(
        ConversationByIdLoader, key="conversation_id", description="Where it was posted."
    )
    citations: list[Citation] = related(
        CitationsByMessageLoader, key="id", description="The sources it cites, by rank."
    )


@strawberry.type(description="A chat: messages between people and assistants, with sources.")
class Conversation(RowType, LoadedNode):
    model = models.Conversation
    loader = ConversationByIdLoader

    id: relay.NodeID[str]
    title: str = strawberry.field(description="What it is about.")
    visibility: Visibility = strawberry.field(
        description="PRIVATE: only its participants see it; ORGANIZATION: everyone."
    )
    archived: bool = strawberry.field(description="Archived conversations take no new messages.")
    last_activity_at: datetime = strawberry.field(description="When the last message came.")
    version: int = strawberry.field(description="Optimistic-locking version; pass it to update.")
    created_at: datetime = strawberry.field(description="When it was started.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    deleted_at: datetime | None = strawberry.field(description="When it was deleted.")
    owner: User = related(UserOnRecordByIdLoader, key="owner_id", description="Who started it.")
    participants: list[User] = related(
        ParticipantsByConversationLoader,
        key="id",
        description="Who takes part (and may post), by username.",
    )
    context_collection: CollectionRef | None = related(
        CollectionByIdLoader, key="context_collection_id", description="The collection discussed."
    )
    context_document: DocumentRef | None = related(
        DocumentByIdLoader, key="context_document_id", description="The document discussed."
    )
    context_knowledge_node: KnowledgeNodeRef | None = related(
        KnowledgeNodeByIdLoader, key="context_node_id", description="The knowledge node discussed."
    )
    messages: Connection[Message] = child_connection(
        MessagesByConversationLoader,
        description="Its messages in order; `last: 50` is the newest page, `before` pages back.",
    )
