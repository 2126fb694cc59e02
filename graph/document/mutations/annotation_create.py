"""`annotationCreate`: a note on a span of a document's content."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from graph.document.types import Annotation
from persistence import errors as domain
from persistence.document.repository import AnnotationRepository, DocumentRepository

AUDITED = ("document_id", "author_id", "start_offset", "end_offset", "quote", "body")


@strawberry.input(description="A note on the span `[startOffset, endOffset)` of a document.")
class AnnotationCreateInput:
    document_id: relay.GlobalID = strawberry.field(description="The annotated document.")
    start_offset: int = strawberry.field(
        description="Where the span starts, in characters from 0; at most `endOffset`."
    )
    end_offset: int = strawberry.field(
        description="Where the span ends (exclusive); at most the content's length."
    )
    body: str = strawberry.field(description="The note itself.")


@strawberry.type(description="The annotation was written.")
class AnnotationCreateSuccess:
    annotation: Annotation = strawberry.field(
        description="The new annotation, quoting the span as it is now."
    )


AnnotationCreateResult = Annotated[
    AnnotationCreateSuccess | ValidationError | NotFound,
    strawberry.union("AnnotationCreateResult", description="The new annotation, or why not."),
]


async def resolve(info: strawberry.Info, input: AnnotationCreateInput) -> AnnotationCreateResult:
    async def work(m: MutationContext) -> AnnotationCreateSuccess:
        document_id = row_id(input.document_id, "Document", field="document_id")
        document = await DocumentRepository(m.session, m.scope).get(document_id)
        if input.end_offset > len(document.content):
            raise domain.ValidationError(
                "end_offset", f"end offset is past the content's end ({len(document.content)})"
            )
        # Offsets the database refuses (negative, or start after end) come back from its
        # CHECK constraints as a ValidationError, so they are not repeated here.
        annotation = await AnnotationRepository(m.session, m.scope).create(
            document_id=document_id,
            author_id=m.viewer.user_id,
            start_offset=input.start_offset,
            end_offset=input.end_offset,
            quote=document.content[max(input.start_offset, 0) : max(input.end_offset, 0)],
            body=input.body,
        )
        changes = diff({}, snapshot(annotation, AUDITED))
        await m.audit("annotationCreate", "Annotation", annotation.id, changes)
        return AnnotationCreateSuccess(annotation=annotation)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Annotate a span of a document the caller can see (EDITOR or ADMIN); the quote is "
        "taken from the content. An `endOffset` past the content is a ValidationError."
    ),
    permission_classes=[CanWrite],
)
