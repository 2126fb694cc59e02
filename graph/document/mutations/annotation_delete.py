"""`annotationDelete`: remove an annotation (its author or an admin)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, PermissionDenied, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.document.types import Document
from persistence.document.repository import AnnotationRepository, DocumentRepository

AUDITED = ("document_id", "author_id", "start_offset", "end_offset", "quote", "body")


@strawberry.input(description="The annotation to remove.")
class AnnotationDeleteInput:
    id: relay.GlobalID = strawberry.field(description="The annotation.")


@strawberry.type(description="The annotation is gone.")
class AnnotationDeleteSuccess:
    deleted_id: relay.GlobalID = strawberry.field(description="The id the annotation had.")
    document: Document = strawberry.field(description="The document it was on.")


AnnotationDeleteResult = Annotated[
    AnnotationDeleteSuccess | ValidationError | NotFound | PermissionDenied,
    strawberry.union("AnnotationDeleteResult", description="The removed id, or why not."),
]


async def resolve(info: strawberry.Info, input: AnnotationDeleteInput) -> AnnotationDeleteResult:
    async def work(m: MutationContext) -> AnnotationDeleteSuccess | PermissionDenied:
        annotations = AnnotationRepository(m.session, m.scope)
        annotation_id = row_id(input.id, "Annotation", field="id")
        # Visible only with its document: one on another's PRIVATE document is NotFound.
        annotation = await annotations.get(annotation_id)
        document = await DocumentRepository(m.session, m.scope).get(
            annotation.document_id, include_deleted=m.viewer.is_admin
        )
        if annotation.author_id != m.viewer.user_id and not m.viewer.is_admin:
            return PermissionDenied(message="only the author or an admin may delete an annotation")
        before = snapshot(annotation, AUDITED)
        await annotations.purge(annotation_id)
        await m.audit("annotationDelete", "Annotation", annotation_id, diff(before, {}))
        return AnnotationDeleteSuccess(
            deleted_id=relay.GlobalID("Annotation", str(annotation_id)), document=document
        )

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Delete an annotation for good. Only its author or an ADMIN may (others get "
        "PermissionDenied); one on a document the caller cannot see is NotFound."
    ),
    permission_classes=[CanWrite],
)
