"""The knowledge domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.knowledge.mutations import (
    knowledge_edge_create,
    knowledge_edge_delete,
    knowledge_edge_restore,
    knowledge_edge_update,
    knowledge_node_create,
    knowledge_node_delete,
    knowledge_node_link,
    knowledge_node_restore,
    knowledge_node_unlink,
    knowledge_node_update,
)


@strawberry.type
class KnowledgeMutations:
    knowledge_node_create = knowledge_node_create.field
    knowledge_node_update = knowledge_node_update.field
    knowledge_node_delete = knowledge_node_delete.field
    knowledge_node_restore = knowledge_node_restore.field
    knowledge_node_link = knowledge_node_link.field
    knowledge_node_unlink = knowledge_node_unlink.field
    knowledge_edge_create = knowledge_edge_create.field
    knowledge_edge_update = knowledge_edge_update.field
    knowledge_edge_delete = knowledge_edge_delete.field
    knowledge_edge_restore = knowledge_edge_restore.field
