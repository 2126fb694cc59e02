"""`documentDelete`: soft-delete a document (its owner or an admin)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.document.types import Document
from persistence.document.repository import DocumentRepository

AUDITED = ("deleted_at",)


@strawberry.input(description="The document to delete.")
class DocumentDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The document.")
    expected_version: int | None = strawberry.field(
        default=None,
        description="The version you read, if you want a VersionConflict when it is stale.",
    )


@strawberry.type(description="The document was deleted; an admin can restore it.")
class DocumentDeleteSuccess:
    document: Document = strawberry.field(description="The document, with `deletedAt`.")


DocumentDeleteResult = Annotated[
    DocumentDeleteSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("DocumentDeleteResult", description="The deleted document, or why not."),
]


async def resolve(info: strawberry.Info, input: DocumentDeleteInput) -> DocumentDeleteResult:
    async def work(m: MutationContext) -> DocumentDeleteSuccess | PermissionDenied:
        documents = DocumentRepository(m.session, m.scope)
        document_id = row_id(input.id, "Document", field="id")
        current = await documents.get(document_id)
        if current.owner_id != m.viewer.user_id and not m.viewer.is_admin:
            return PermissionDenied(message="only the owner or an admin may delete a document")
        before = snapshot(current, AUDITED)
        deleted = await documents.soft_delete(document_id, expected_version=input.expected_version)
        changed = diff(before, snapshot(deleted, AUDITED))
        await m.audit("documentDelete", "Document", document_id, changed)
        return DocumentDeleteSuccess(document=deleted)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Soft-delete a document: it disappears from reads until an admin restores it. Only "
        "its owner or an ADMIN may (others get PermissionDenied)."
    ),
    permission_classes=[CanWrite],
)
