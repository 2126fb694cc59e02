"""A cap on request bodies, enforced while they arrive, before anything parses them."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.http_errors import RequestError, error_response


class BodyLimitMiddleware:
    """Answers 413 to a body over `max_bytes`: refused on its `Content-Length` before a byte
    is read, or as soon as the chunks received pass the limit (chunked uploads). A body
    within the limit is handed on whole, so the app parses only what it may afford.
    Multipart uploads (the GraphQL multipart request spec) get `max_upload_bytes` instead."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        limit = self.limit_for(headers)
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > limit:
            await self.refuse(scope, receive, send, headers, limit)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await self.refuse(scope, receive, send, headers, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, replay([body], receive), send)

    def limit_for(self, headers: dict[bytes, bytes]) -> int:
        media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        return self.max_upload_bytes if media_type == b"multipart/form-data" else self.max_bytes

    async def refuse(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes], limit: int
    ) -> None:
        error = RequestError(413, f"The request body is larger than the limit of {limit} bytes.")
        response = error_response(error, headers.get(b"accept", b"").decode("latin-1"))
        await response(scope, receive, send)


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A `receive` that hands out `messages` first, then the client's further messages."""

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay
