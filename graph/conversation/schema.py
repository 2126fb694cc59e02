"""The conversation domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.conversation.mutations import (
    conversation_archive,
    conversation_create,
    conversation_delete,
    conversation_participants_add,
    conversation_participants_remove,
    conversation_restore,
    conversation_update,
    message_delete,
    message_edit,
    message_post,
)


@strawberry.type
class ConversationMutations:
    conversation_create = conversation_create.field
    conversation_update = conversation_update.field
    conversation_archive = conversation_archive.field
    conversation_delete = conversation_delete.field
    conversation_restore = conversation_restore.field
    conversation_participants_add = conversation_participants_add.field
    conversation_participants_remove = conversation_participants_remove.field
    message_post = message_post.field
    message_edit = message_edit.field
    message_delete = message_delete.field
