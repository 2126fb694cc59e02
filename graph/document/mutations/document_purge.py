"""`documentPurge`: delete a document for good (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from persistence.document.repository import DocumentRepository

AUDITED = ("title", "status", "visibility", "collection_id", "owner_id", "deleted_at")


@strawberry.input(description="The document to delete for good.")
class DocumentPurgeInput:
    id: relay.GlobalID = strawberry.field(description="The document, live or soft-deleted.")


@strawberry.type(description="The document is gone for good.")
class DocumentPurgeSuccess:
    purged_id: relay.GlobalID = strawberry.field(description="The id the document had.")


DocumentPurgeResult = Annotated[
    DocumentPurgeSuccess | ValidationError | NotFound,
    strawberry.union("DocumentPurgeResult", description="The purged id, or why not."),
]


async def resolve(info: strawberry.Info, input: DocumentPurgeInput) -> DocumentPurgeResult:
    async def work(m: MutationContext) -> DocumentPurgeSuccess:
        documents = DocumentRepository(m.session, m.scope)
        document_id = row_id(input.id, "Document", field="id")
        before = snapshot(await documents.get(document_id, include_deleted=True), AUDITED)
        await documents.purge(document_id)
        await m.audit("documentPurge", "Document", document_id, diff(before, {}))
        return DocumentPurgeSuccess(purged_id=relay.GlobalID("Document", str(document_id)))

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Delete a document for good, live or soft-deleted (ADMIN only), with its tags' links "
        "and its annotations; knowledge nodes drawn from it stay, without a source."
    ),
    permission_classes=[IsAdminWriter],
)
