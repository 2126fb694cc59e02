"""`documentTagsAdd`: attach tags to a document by name, creating the new ones."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWrite
from graph.document.types import Document
from persistence import errors as domain
from persistence.document.models import Tag
from persistence.document.repository import DocumentRepository, TagRepository

MAX_NAME = Tag.__table__.c.name.type.length


@strawberry.input(description="Tags to put on a document.")
class DocumentTagsAddInput:
    id: relay.GlobalID = strawberry.field(description="The document.")
    tag_names: list[str] = strawberry.field(
        description="Tag names (matched case-insensitively; new ones are created). "
        "Tags the document has already are left as they are."
    )


@strawberry.type(description="The tags are on the document.")
class DocumentTagsAddSuccess:
    document: Document = strawberry.field(description="The document with its tags.")


DocumentTagsAddResult = Annotated[
    DocumentTagsAddSuccess | ValidationError | NotFound,
    strawberry.union("DocumentTagsAddResult", description="The tagged document, or why not."),
]


def _names(tag_names: list[str]) -> list[str]:
    names = [name.strip() for name in tag_names]
    if any(not name or len(name) > MAX_NAME for name in names):
        raise domain.ValidationError(
            "tag_names", f"tag names must not be blank nor longer than {MAX_NAME} characters"
        )
    return names


async def resolve(info: strawberry.Info, input: DocumentTagsAddInput) -> DocumentTagsAddResult:
    async def work(m: MutationContext) -> DocumentTagsAddSuccess:
        document_id = row_id(input.id, "Document", field="id")
        names = _names(input.tag_names)
        document = await DocumentRepository(m.session, m.scope).get(document_id)
        tags = TagRepository(m.session, m.scope)
        before = [t.name for t in (await tags.for_documents([document_id]))[document_id]]
        found = await tags.ensure(names)
        await tags.tag_document(document_id, [t.id for t in found])
        after = [t.name for t in (await tags.for_documents([document_id]))[document_id]]
        changes = {"tags": {"old": before, "new": after}} if before != after else {}
        await m.audit("documentTagsAdd", "Document", document_id, changes)
        return DocumentTagsAddSuccess(document=document)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Tag a document (EDITOR or ADMIN), creating tags that do not exist yet. A document "
        "the caller cannot see is NotFound, and then no tag is created."
    ),
    permission_classes=[CanWrite],
)
