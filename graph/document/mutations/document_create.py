"""`documentCreate`: a new document, optionally in a collection and with tags."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.enums import DocumentStatus, Visibility
from graph.core.errors import AlreadyExists, NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.document.types import Document
from persistence.collection.repository import CollectionRepository
from persistence.document import models
from persistence.document.repository import DocumentRepository, TagRepository
from persistence.organization_settings import settings_for

AUDITED = ("title", "content_type", "status", "visibility", "collection_id", "owner_id")


@strawberry.input(description="A new document.")
class DocumentCreateInput:
    title: str = strawberry.field(description="The title (not blank).")
    content: str = strawberry.field(default="", description="The body text.")
    content_type: str = strawberry.field(default="text/markdown", description="Its media type.")
    status: DocumentStatus = strawberry.field(
        default=models.DocumentStatus.DRAFT, description="Draft, published or archived."
    )
    visibility: Visibility | None = strawberry.field(
        default=None,
        description="PRIVATE: only you and admins; left out, the organization's default.",
    )
    collection_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The collection to put it in."
    )
    metadata: JSON | None = strawberry.field(default=None, description="A JSON object.")
    tag_names: list[str] = strawberry.field(
        default_factory=list, description="Tags to attach, created when new."
    )


@strawberry.type(description="The document was created.")
class DocumentCreateSuccess:
    document: Document = strawberry.field(description="The new document.")


DocumentCreateResult = Annotated[
    DocumentCreateSuccess | ValidationError | NotFound | AlreadyExists,
    strawberry.union("DocumentCreateResult", description="The new document, or why not."),
]


async def resolve(info: strawberry.Info, input: DocumentCreateInput) -> DocumentCreateResult:
    async def work(m: MutationContext) -> DocumentCreateSuccess:
        collection_id = None
        if input.collection_id is not None:
            collection_id = row_id(input.collection_id, "Collection", field="collection_id")
            await CollectionRepository(m.session, m.scope).get(collection_id)
        visibility = input.visibility
        if visibility is None:
            governing = await settings_for(m.session, m.scope.organization_id)
            visibility = governing.default_document_visibility
        document = await DocumentRepository(m.session, m.scope).create(
            title=input.title,
            content=input.content,
            content_type=input.content_type,
            status=input.status,
            visibility=visibility,
            collection_id=collection_id,
            metadata_=input.metadata if input.metadata is not None else {},
            owner_id=m.viewer.user_id,
        )
        if input.tag_names:
            tags = TagRepository(m.session, m.scope)
            found = await tags.ensure(input.tag_names)
            await tags.tag_document(document.id, [t.id for t in found])
        changes = diff({}, snapshot(document, AUDITED))
        await m.audit("documentCreate", "Document", document.id, changes)
        return DocumentCreateSuccess(document=document)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Create a document owned by the caller (EDITOR or ADMIN).",
    permission_classes=[CanWrite],
)
