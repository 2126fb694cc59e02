"""Requests refused before (or instead of) execution, answered as GraphQL-shaped JSON.

Whatever goes wrong at the HTTP level — a body that is not a JSON object, a method, a
media type, a size, an unavailable database — the client gets `{"errors": [{"message",
"extensions": {"code"}}]}` in the media type it asked for, never `text/plain` or a 500.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from starlette.responses import Response

from graph import request_record

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
RETRY_AFTER_SECONDS = 5  # what a 503 asks clients to wait: a database restart takes seconds

CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    503: "SERVICE_UNAVAILABLE",
}


class RequestError(HTTPException):
    """A request that is not a well-formed GraphQL-over-HTTP request, with its status."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, message)
        self.code = code or CODES.get(status_code, "BAD_REQUEST")
        self.headers = dict(headers or {})


def error_body(message: str, code: str) -> dict[str, object]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def media_type(accept: str) -> str:
    """The response media type: `application/graphql-response+json` when asked for."""
    return GRAPHQL_RESPONSE_JSON if GRAPHQL_RESPONSE_JSON in accept else "application/json"


def error_response(error: HTTPException, accept: str) -> Response:
    """The JSON answer to a refused request (Strawberry's own `HTTPException`s included)."""
    if isinstance(error, RequestError):
        code, headers = error.code, error.headers
    else:
        code, headers = CODES.get(error.status_code, "BAD_REQUEST"), {}
        if error.status_code == 405:
            headers["Allow"] = "GET, POST"
    if (record := request_record.current()) is not None:
        record.error_codes = [code]
    return Response(
        json.dumps(error_body(error.reason, code)),
        status_code=error.status_code,
        headers=headers,
        media_type=f"{media_type(accept)}; charset=utf-8",
    )


def json_depth(value: Any) -> int:
    """How deeply JSON containers nest in `value`, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            current = current.values()
        elif not isinstance(current, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((item, depth + 1) for item in current if isinstance(item, (dict, list)))
    return deepest
