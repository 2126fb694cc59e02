"""`documentTagsRemove`: detach tags from a document."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWrite
from graph.document.types import Document
from persistence.document.repository import DocumentRepository, TagRepository


@strawberry.input(description="Tags to take off a document.")
class DocumentTagsRemoveInput:
    id: relay.GlobalID = strawberry.field(description="The document.")
    tag_ids: list[relay.GlobalID] = strawberry.field(
        description="The tags to detach; tags the document does not have are ignored. "
        "The tags themselves stay, for other documents."
    )


@strawberry.type(description="The tags are off the document.")
class DocumentTagsRemoveSuccess:
    document: Document = strawberry.field(description="The document with its remaining tags.")


DocumentTagsRemoveResult = Annotated[
    DocumentTagsRemoveSuccess | ValidationError | NotFound,
    strawberry.union("DocumentTagsRemoveResult", description="The document, or why not."),
]


async def resolve(
    info: strawberry.Info, input: DocumentTagsRemoveInput
) -> DocumentTagsRemoveResult:
    async def work(m: MutationContext) -> DocumentTagsRemoveSuccess:
        document_id = row_id(input.id, "Document", field="id")
        tag_ids = [row_id(t, "Tag", field="tag_ids") for t in input.tag_ids]
        document = await DocumentRepository(m.session, m.scope).get(document_id)
        tags = TagRepository(m.session, m.scope)
        before = [t.name for t in (await tags.for_documents([document_id]))[document_id]]
        await tags.untag_document(document_id, tag_ids)
        after = [t.name for t in (await tags.for_documents([document_id]))[document_id]]
        changes = {"tags": {"old": before, "new": after}} if before != after else {}
        await m.audit("documentTagsRemove", "Document", document_id, changes)
        return DocumentTagsRemoveSuccess(document=document)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Untag a document (EDITOR or ADMIN). A document the caller cannot see is NotFound.",
    permission_classes=[CanWrite],
)
