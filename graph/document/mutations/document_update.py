"""`documentUpdate`: change a document's fields, if nobody changed it since it was read."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from graph.core.enums import DocumentStatus, Visibility
from graph.core.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.document.types import Document
from persistence import errors as domain
from persistence.collection.repository import CollectionRepository
from persistence.document.repository import DocumentRepository

UPDATABLE = ("title", "content", "content_type", "status", "visibility", "collection_id")


@strawberry.input(description="Fields to change; leave out what stays the same.")
class DocumentUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The document.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    title: str | None = strawberry.field(default=strawberry.UNSET, description="New title.")
    content: str | None = strawberry.field(default=strawberry.UNSET, description="New body.")
    content_type: str | None = strawberry.field(
        default=strawberry.UNSET, description="New media type."
    )
    status: DocumentStatus | None = strawberry.field(
        default=strawberry.UNSET, description="New status."
    )
    visibility: Visibility | None = strawberry.field(
        default=strawberry.UNSET, description="New visibility (only the owner or an admin)."
    )
    collection_id: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="Move to this collection; null takes it out."
    )
    metadata: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the JSON object."
    )


@strawberry.type(description="The document was changed.")
class DocumentUpdateSuccess:
    document: Document = strawberry.field(description="The document as it is now.")


DocumentUpdateResult = Annotated[
    DocumentUpdateSuccess | ValidationError | NotFound | VersionConflict | PermissionDenied,
    strawberry.union("DocumentUpdateResult", description="The changed document, or why not."),
]


def _changes(input: DocumentUpdateInput) -> dict[str, Any]:
    """The fields the client set; explicit nulls only where null means something."""
    changes: dict[str, Any] = {}
    for name in ("title", "content", "content_type", "status", "visibility"):
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        if value is None:
            raise domain.ValidationError(name, f"{name} cannot be null")
        changes[name] = value
    if input.metadata is not strawberry.UNSET:
        changes["metadata_"] = input.metadata if input.metadata is not None else {}
    return changes


async def resolve(info: strawberry.Info, input: DocumentUpdateInput) -> DocumentUpdateResult:
    async def work(m: MutationContext) -> DocumentUpdateSuccess | PermissionDenied:
        documents = DocumentRepository(m.session, m.scope)
        document_id = row_id(input.id, "Document", field="id")
        current = await documents.get(document_id)
        before = snapshot(current, UPDATABLE)
        changes = _changes(input)
        if input.collection_id is not strawberry.UNSET:
            collection_id = None
            if input.collection_id is not None:
                collection_id = row_id(input.collection_id, "Collection", field="collection_id")
                await CollectionRepository(m.session, m.scope).get(collection_id)
            changes["collection_id"] = collection_id
        owns = current.owner_id == m.viewer.user_id or m.viewer.is_admin
        if "visibility" in changes and not owns:
            return PermissionDenied(message="only the owner or an admin may change visibility")
        updated = await documents.update(
            document_id, expected_version=input.expected_version, **changes
        )
        changed = diff(before, snapshot(updated, UPDATABLE))
        await m.audit("documentUpdate", "Document", document_id, changed)
        return DocumentUpdateSuccess(document=updated)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Change a document (EDITOR or ADMIN), checking `expectedVersion`.",
    permission_classes=[CanWrite],
)
