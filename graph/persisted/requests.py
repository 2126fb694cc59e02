"""Requests that name a persisted document instead of (or besides) sending its text.

Automatic Persisted Queries (Apollo's protocol): `extensions.persistedQuery = {"version": 1,
"sha256Hash": …}`. A hash the server does not know answers `PersistedQueryNotFound` (HTTP
200, as Apollo does), and the client sends the text with the hash once, which registers it
(when it hashes to that value and validates). GET with the hash only is then a short URL a
CDN can cache. GraphQL Code Generator's client preset sends `documentId` instead; both name
the same row. In trusted-documents mode only documents an operator pushed run, by id; a
request with `query` text, or with an id nobody pushed, is refused before anything runs.

A resolved request goes on as if the client had sent the text: the compiled path and the
reference executor see the same request, and parse, validate and plan the text once, in
their caches keyed by the text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message

from graph.http_errors import (
    GRAPHQL_RESPONSE_JSON,
    RETRY_AFTER_SECONDS,
    error_body,
    media_type,
)
from graph.persisted.manifest import DOCUMENT_ID
from graph.persisted.settings import PersistedSettings
from persistence.availability import is_unavailable
from persistence.persisted.repository import find, register

SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
ID_REQUIRED = "PERSISTED_QUERY_ID_REQUIRED"
MARKERS = (b"persistedQuery", b"documentId")


class Refusal(Exception):
    """A request refused here; `status` None: like any request that cannot run (200, or
    400 under `application/graphql-response+json`)."""

    def __init__(self, message: str, code: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status

    def response(self, request: Request) -> Response:
        accept = request.headers.get("accept", "")
        status = self.status or (400 if GRAPHQL_RESPONSE_JSON in accept else 200)
        headers = {"Cache-Control": "no-store"}  # a CDN must not keep a miss
        if status == 503:
            headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return Response(
            json.dumps(error_body(self.message, self.code)),
            status_code=status,
            headers=headers,
            media_type=f"{media_type(accept)}; charset=utf-8",
        )


UNAVAILABLE = Refusal("The service is unavailable: try again shortly.", "SERVICE_UNAVAILABLE", 503)


class PersistedOperations:
    """Resolves documents sent by id, keeping those found in a per-process LRU."""

    def __init__(self, schema: Any, settings: PersistedSettings) -> None:
        self.schema = schema
        self.settings = settings
        self._known: OrderedDict[str, str] = OrderedDict()

    async def resolve(self, request: Request) -> Request | Response:
        """The request to run (the same one, or one carrying the document's text), or the
        answer that refuses it."""
        data = await _request_data(request, every=self.settings.trusted)
        if data is None:
            return request
        try:
            return await self._resolve(request, data)
        except Refusal as refusal:
            return refusal.response(request)

    async def _resolve(self, request: Request, data: dict[str, Any]) -> Request:
        document_id, query = _document_id(data), data.get("query")
        if self.settings.trusted and query is not None:
            raise Refusal(
                "This server runs trusted documents only: send a registered document's "
                "`documentId` (or `extensions.persistedQuery.sha256Hash`) instead of `query`.",
                ID_REQUIRED,
            )
        if document_id is None:
            return request
        if query is not None:
            if isinstance(query, str):
                await self._register(request, document_id, query)
            return request
        body = await self._find(request, document_id)
        if body is not None:
            return _with_query(request, data, body)
        if self.settings.trusted:
            raise Refusal(
                f"No trusted document has the id {document_id!r}: push the client's "
                "manifest with `khub documents push`.",
                NOT_IN_LIST,
            )
        if self.settings.apq:
            raise Refusal("PersistedQueryNotFound", NOT_FOUND, 200)
        raise Refusal("PersistedQueryNotSupported", NOT_SUPPORTED, 200)

    async def _find(self, request: Request, document_id: str) -> str | None:
        body = self._known.get(document_id)
        if body is not None:
            self._known.move_to_end(document_id)
            return body
        try:
            async with request.app.state.db.engine.connect() as connection:
                body = await find(
                    connection, document_id=document_id, trusted_only=self.settings.trusted
                )
        except Exception as exc:
            if is_unavailable(exc):
                raise UNAVAILABLE from None
            raise
        if body is not None:
            self._remember(document_id, body)
        return body

    async def _register(self, request: Request, document_id: str, query: str) -> None:
        """Check the text against its hash; keep it when it validates (APQ on)."""
        if hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest() != (
            document_id.lower()
        ):
            raise Refusal("provided sha does not match query", "BAD_REQUEST", 400)
        if not self.settings.apq or self._known.get(document_id) == query:
            return
        checked = self.schema.documents.get(self.schema._schema, query)
        if checked.document is None or checked.errors:
            return  # the executor reports why; an invalid document is not kept
        try:
            async with request.app.state.db.engine.begin() as connection:
                await register(
                    connection,
                    document_id=document_id,
                    body=query,
                    max_documents=self.settings.apq_max_documents,
                )
        except Exception as exc:
            if is_unavailable(exc):
                raise UNAVAILABLE from None
            raise
        self._remember(document_id, query)

    def _remember(self, document_id: str, body: str) -> None:
        self._known[document_id] = body
        if len(self._known) > self.settings.cache_size:
            self._known.popitem(last=False)


def _document_id(data: dict[str, Any]) -> str | None:
    """The id a request names, by `documentId` or `extensions.persistedQuery`, if any."""
    given, extensions = data.get("documentId"), data.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    hash_ = None
    if persisted is not None:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise Refusal(
                "Unsupported persisted query version: send `extensions.persistedQuery` as "
                '{"version": 1, "sha256Hash": "<hex>"}.',
                "BAD_REQUEST",
                400,
            )
        hash_ = persisted.get("sha256Hash")
        if not isinstance(hash_, str) or not SHA256.match(hash_):
            raise Refusal(
                "`extensions.persistedQuery.sha256Hash` must be a SHA-256 hash in hex.",
                "BAD_REQUEST",
                400,
            )
    if given is not None and not (isinstance(given, str) and DOCUMENT_ID.match(given)):
        raise Refusal(
            "`documentId` must be a document id (letters, digits, `_.:~-`, at most 200).",
            "BAD_REQUEST",
            400,
        )
    if given is not None and hash_ is not None and given != hash_:
        raise Refusal(
            "`documentId` and `extensions.persistedQuery.sha256Hash` differ.", "BAD_REQUEST", 400
        )
    return given or hash_


async def _request_data(request: Request, *, every: bool) -> dict[str, Any] | None:
    """The request's fields, when it may name a persisted document (`every`: always), as
    the view will read them; None when there is nothing to resolve or it is malformed (the
    view then answers it as it answers any request)."""
    if request.method == "GET":
        params = request.query_params
        if not every and "extensions" not in params and "documentId" not in params:
            return None
        data: Any = dict(params)
        if "extensions" in params:
            try:
                data["extensions"] = json.loads(params["extensions"])
            except ValueError:
                return None
        return data
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method != "POST" or content_type != "application/json":
        return None
    body = await request.body()
    if not every and not any(marker in body for marker in MARKERS):
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # the view reports it
        return None
    return data if isinstance(data, dict) else None


def _with_query(request: Request, data: dict[str, Any], body: str) -> Request:
    """The request as if the client had sent the document's text."""
    scope = dict(request.scope)
    if request.method == "GET":
        params = request.query_params.multi_items()
        kept = [(k, v) for k, v in params if k not in ("query", "documentId")]
        scope["query_string"] = urlencode([*kept, ("query", body)]).encode()
        return Request(scope, request.receive)
    fields = {k: v for k, v in data.items() if k != "documentId"}
    raw = json.dumps({**fields, "query": body}, separators=(",", ":")).encode()
    headers = [(k, v) for k, v in request.scope["headers"] if k != b"content-length"]
    scope["headers"] = [*headers, (b"content-length", str(len(raw)).encode())]
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await request.receive()
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return Request(scope, receive)
