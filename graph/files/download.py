"""`GET /files/{id}`: a stored file, for the user it belongs to, once.

The URL must carry this server's signature over the id and its expiry (403 otherwise, 410
once expired), and the request its owner's own credential (401 without one; 404 for any
other user, as for a row they may not see). The file is marked downloaded in the statement
that reads it, so of concurrent downloads exactly one gets it; the others get 410.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graph.context import Context
from graph.files import signing
from graph.http_errors import RETRY_AFTER_SECONDS, error_body
from graph.settings import ServerSettings
from persistence.availability import is_unavailable
from persistence.errors import NotFound
from persistence.file.repository import Download, FileGone, FileRepository


def routes(settings: ServerSettings, key: bytes) -> list[Route]:
    async def download(request: Request) -> Response:
        return await answer(request, settings, key)

    return [Route("/files/{file_id}", download, methods=["GET"])]


async def answer(request: Request, settings: ServerSettings, key: bytes) -> Response:
    try:
        file_id = uuid.UUID(request.path_params["file_id"])
    except ValueError:
        return refusal(404, "NOT_FOUND", "There is no such file.")
    expires = request.query_params.get("expires", "")
    given = request.query_params.get("signature", "")
    if not expires.isdigit() or not signing.verified(key, file_id, int(expires), given):
        return refusal(403, "FORBIDDEN", "The download link is not valid.")
    if int(expires) < time.time():
        return refusal(410, "GONE", "The download link has expired; ask for a new one.")
    context = Context(
        request=request,
        response=None,
        db=request.app.state.db,
        settings=settings,
        request_id=request.scope.get("state", {}).get("request_id") or "-",
    )
    context.operation.read_only = False
    taken: Download | None = None
    try:
        await context.authenticate()
        if not context.viewer.is_authenticated:
            return refusal(
                401, "UNAUTHENTICATED", "Sign in: a download needs its requester's credential."
            )
        async with context.operation.session() as session:
            taken = await FileRepository(session, context.viewer.scope()).take(file_id)
    except NotFound:
        return refusal(404, "NOT_FOUND", "There is no such file.")
    except FileGone:
        return refusal(410, "GONE", "The file was downloaded already or has expired.")
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        response = refusal(503, "SERVICE_UNAVAILABLE", "The service is unavailable; retry.")
        response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        return response
    finally:
        await context.operation.finish(commit=taken is not None)
    assert taken is not None
    return Response(
        taken.content,
        media_type=taken.content_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(taken.name)}",
            "cache-control": "no-store",
        },
    )


def refusal(status: int, code: str, message: str) -> Response:
    headers = {"www-authenticate": "Bearer"} if status == 401 else {}
    return Response(
        json.dumps(error_body(message, code)),
        status_code=status,
        headers=headers,
        media_type="application/json; charset=utf-8",
    )
