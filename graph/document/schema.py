"""The document domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.document.mutations import document_create, document_update


@strawberry.type
class DocumentMutations:
    document_create = document_create.field
    document_update = document_update.field
