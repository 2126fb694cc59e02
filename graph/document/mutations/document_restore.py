"""`documentRestore`: bring a soft-deleted document back (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from graph.document.types import Document
from persistence import errors as domain
from persistence.document.repository import DocumentRepository

AUDITED = ("deleted_at",)


@strawberry.input(description="The deleted document to bring back.")
class DocumentRestoreInput:
    id: relay.GlobalID = strawberry.field(description="The deleted document.")


@strawberry.type(description="The document is back.")
class DocumentRestoreSuccess:
    document: Document = strawberry.field(description="The restored document.")


DocumentRestoreResult = Annotated[
    DocumentRestoreSuccess | ValidationError | NotFound,
    strawberry.union("DocumentRestoreResult", description="The restored document, or why not."),
]


async def resolve(info: strawberry.Info, input: DocumentRestoreInput) -> DocumentRestoreResult:
    async def work(m: MutationContext) -> DocumentRestoreSuccess:
        documents = DocumentRepository(m.session, m.scope)
        document_id = row_id(input.id, "Document", field="id")
        current = await documents.get(document_id, include_deleted=True)
        if current.deleted_at is None:
            raise domain.ValidationError("id", "this document is not deleted")
        before = snapshot(current, AUDITED)
        restored = await documents.restore(document_id)
        changed = diff(before, snapshot(restored, AUDITED))
        await m.audit("documentRestore", "Document", document_id, changed)
        return DocumentRestoreSuccess(document=restored)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Restore a soft-deleted document (ADMIN only); a live one is a ValidationError.",
    permission_classes=[IsAdminWriter],
)
