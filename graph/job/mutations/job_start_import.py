"""`jobStartImport`: store an uploaded file and queue its import (editors and admins)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWrite
from graph.job.mutations.job_start import JobStartSuccess, enqueue
from persistence import errors
from persistence.collection.repository import CollectionRepository
from persistence.file.repository import FileRepository, FileTooLarge
from persistence.transfer.settings import transfer_settings

NOT_AN_UPLOAD = (
    "send the file as a multipart request (the GraphQL multipart request spec); "
    "a JSON body cannot carry it"
)


@strawberry.input(description="The file to import and where its content goes.")
class JobStartImportInput:
    file: Upload = strawberry.field(
        description="A zip of Markdown files (folders become collections), JSON Lines, or an "
        "archive made by `jobStartExport`; sent as a multipart upload."
    )
    collection_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The collection to import into; none: the top level."
    )


JobStartImportResult = Annotated[
    JobStartSuccess | ValidationError | NotFound,
    strawberry.union("JobStartImportResult", description="The queued job, or why not."),
]


async def _content(upload: Any, limit: int) -> tuple[str, str, bytes]:
    """The upload's name, type and bytes, read no further than one byte past `limit`."""
    if not callable(getattr(upload, "read", None)):
        raise errors.ValidationError("file", NOT_AN_UPLOAD)
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise FileTooLarge(size, limit)
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise FileTooLarge(size or len(content), limit)
    name = getattr(upload, "filename", None) or "upload"
    content_type = getattr(upload, "content_type", None) or "application/octet-stream"
    return name, content_type, content


async def resolve(info: strawberry.Info, input: JobStartImportInput) -> JobStartImportResult:
    async def work(m: MutationContext) -> JobStartSuccess:
        target = None
        if input.collection_id is not None:
            target = row_id(input.collection_id, "Collection", field="collectionId")
            await CollectionRepository(m.session, m.scope).get(target)  # live and visible
        settings = transfer_settings()
        name, content_type, content = await _content(input.file, settings.max_file_bytes)
        file_id = await FileRepository(m.session, m.scope).store(
            name=name,
            content_type=content_type,
            content=content,
            ttl=timedelta(seconds=settings.file_ttl_seconds),
            max_bytes=settings.max_file_bytes,
        )
        params = {"file_id": str(file_id), "collection_id": str(target) if target else None}
        return await enqueue(m, "import", params)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Import an uploaded file as a background job (EDITOR or ADMIN): bad entries are "
        "reported in the job's result, the good ones land; importing the same file again "
        "changes nothing. Needs a multipart request: GraphiQL cannot send one."
    ),
    permission_classes=[CanWrite],
)
