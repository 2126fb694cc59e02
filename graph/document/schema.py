"""The document domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.document.mutations import (
    annotation_create,
    annotation_delete,
    document_create,
    document_delete,
    document_purge,
    document_restore,
    document_tags_add,
    document_tags_remove,
    document_update,
)


@strawberry.type
class DocumentMutations:
    document_create = document_create.field
    document_update = document_update.field
    document_delete = document_delete.field
    document_restore = document_restore.field
    document_purge = document_purge.field
    document_tags_add = document_tags_add.field
    document_tags_remove = document_tags_remove.field
    annotation_create = annotation_create.field
    annotation_delete = annotation_delete.field
