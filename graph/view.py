"""The `/graphql` endpoint: Strawberry's ASGI view with our context, media types and the
GraphQL-over-HTTP status codes.

Status codes (GraphQL over HTTP): a request that is not a well-formed GraphQL request
(body not a JSON object in UTF-8, a batch, no `query`, `variables` not an object, nested
too deeply) is 400, another media type than JSON 415, a mutation over GET 405 with
`Allow: POST`. A well-formed request that cannot run (syntax, validation, unknown or
missing `operationName`, bad variables) answers 200 with `application/json` and 400 with
`application/graphql-response+json` (401 when it was refused for want of credentials).
While the database is unavailable every request answers 503 with `Retry-After`. Every
answer is GraphQL-shaped JSON.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from graphql.language.parser import MAX_NESTING_DEPTH
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from graph import graphiql, request_record
from graph.compiler.pipeline import EXECUTION, CompiledReads
from graph.context import Context
from graph.core import rate_limit
from graph.core.errors import ServiceUnavailable, StatementTimeout, TransientConflict
from graph.core.guards import OPERATION_RESOLUTION_FAILURE
from graph.http_errors import (
    GRAPHQL_RESPONSE_JSON,
    RETRY_AFTER_SECONDS,
    RequestError,
    error_body,
    error_response,
    json_depth,
)
from graph.persisted.requests import PersistedOperations
from graph.settings import ServerSettings
from graph.subscription.context import UNAVAILABLE_CLOSE, UNAVAILABLE_REASON, SocketContext
from persistence.availability import is_unavailable

UNAVAILABLE = "SERVICE_UNAVAILABLE"
log = logging.getLogger("khub.subscriptions")


class TextFrames(ASGIWebSocketAdapter):
    """Messages in text frames: graphql-ws clients parse nothing else (`encode_json` gives
    bytes, which Strawberry would send as binary frames). Once the server closed the socket
    (4403, 1013) the operations it ended have nothing left to say: their last messages go
    nowhere, instead of failing as a bug."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            return
        encoded = self.view.encode_json(message)
        try:
            await self.ws.send_text(encoded.decode() if isinstance(encoded, bytes) else encoded)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLView(GraphQL):
    """Builds a `Context` per request and answers every request in GraphQL-shaped JSON."""

    websocket_adapter_class = TextFrames  # type: ignore[assignment]

    def __init__(self, schema: Any, settings: ServerSettings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
            multipart_uploads_enabled=True,  # file uploads; see parse_http_body
        )
        self.settings = settings
        self.graphiql_page = graphiql.local_page() if settings.graphiql else None
        self.compiled = CompiledReads(schema, settings) if settings.compiled_reads else None
        self.persisted = PersistedOperations(schema, settings.persisted)

    async def run(
        self, request: Request | WebSocket, context: Any = UNSET, root_value: Any = UNSET
    ) -> Any:
        """A query answered by its compiled plan when it has one; else Strawberry's answer,
        in the context the compiled path authenticated (one authentication per request).
        Strawberry answers refused requests in `text/plain`; we answer them in JSON."""
        if not isinstance(request, Request):
            if self.settings.persisted.trusted:  # its operations would carry raw text
                return await self.reject_websocket(request)
            return await super().run(request, context, root_value)
        resolved = await self.persisted.resolve(request)
        if isinstance(resolved, Response):
            return resolved
        request = resolved  # carries the text of a document sent by id
        handed: Context | None = None
        if self.compiled is not None:
            compiled = await self.compiled.answer(request, self)
            if isinstance(compiled, Response):
                rate_limit.decorate(request, compiled)
                return compiled
            handed = compiled
        try:
            response = await super().run(request, handed or context, root_value)
        except HTTPException as error:
            response = error_response(error, request.headers.get("accept", ""))
        finally:
            if handed is not None:  # finished already unless it was refused before running
                await handed.operation.finish(commit=False)
        response.headers[EXECUTION] = "reference"
        if (record := request_record.current()) is not None:
            record.execution = "reference"
        rate_limit.decorate(request, response)
        return response

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:  # type: ignore[override]
        """Cross-origin handshakes follow the CORS origins (`graph/cors.py`)."""
        return self.settings.cors.allows(origin)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page with locally served assets, or Strawberry's CDN page without them."""
        if self.graphiql_page is None:
            return await super().render_graphql_ide(request)
        return HTMLResponse(self.graphiql_page)

    async def on_ws_connect(self, context: SocketContext) -> Any:  # type: ignore[override]
        """Authenticate the socket once, on `connection_init` (graph/subscription/context.py):
        a credential that opens nothing closes it with 4403; none leaves it anonymous. With
        the database away the credential cannot be checked: 4503, and one line in the log
        (the outage is not a bug of ours; its `connection_ack` then goes nowhere)."""
        try:
            if context.bearer() is not None:
                await context.authenticate()
        except Exception as error:
            if not is_unavailable(error):
                raise
            log.warning(
                "websocket closed with %d: the database is unavailable (%s)",
                UNAVAILABLE_CLOSE,
                type(error).__name__,
            )
            await context.close_with(UNAVAILABLE_CLOSE, UNAVAILABLE_REASON)
            return UNSET
        finally:
            await context.operation.finish(commit=False)
            context.forget_operation()
        if context.bearer() is None:
            return UNSET
        if not context.viewer.is_authenticated:
            raise ConnectionRejectionError({"message": context.viewer.why_anonymous})
        context.acknowledged = True
        return UNSET

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:  # type: ignore[override]
        kind = SocketContext if isinstance(request, WebSocket) else Context
        context = kind(
            request=request,
            response=response,
            db=request.app.state.db,
            settings=self.settings,
            request_id=request.scope.get("state", {}).get("request_id") or "-",
        )
        if (record := request_record.current()) is not None:
            record.context = context  # whose viewer is the request's principal
        return context

    def encode_json(self, data: object) -> bytes:
        """orjson: several times faster than `json`. Values it refuses (an unpaired
        surrogate echoed in a message, an integer past 64 bits) go through `json`."""
        try:
            return orjson.dumps(data)
        except TypeError:
            return json.dumps(data, separators=(",", ":")).encode()

    def parse_json(self, data: str | bytes) -> Any:
        """JSON in UTF-8. Strawberry parses the POST body (bytes) here, which must be one
        object, and GET's `variables` and `extensions` (str), whose type it checks itself."""
        try:
            value = self.decode_json(data.decode("utf-8") if isinstance(data, bytes) else data)
        except UnicodeDecodeError as exc:
            raise RequestError(400, "The request body is not UTF-8.") from exc
        except RecursionError:
            raise RequestError(400, "The request's JSON is nested too deeply.") from None
        except ValueError as exc:
            raise RequestError(400, "The request's JSON cannot be parsed.") from exc
        if isinstance(data, bytes) and isinstance(value, list):
            raise RequestError(400, "Batching is not supported: send one operation per request.")
        if isinstance(data, bytes) and not isinstance(value, dict):
            raise RequestError(400, "The request body must be a JSON object with a `query`.")
        return value

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:  # type: ignore[override]
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if content_type.lower() == "multipart/form-data":
                refuse_unsafe_upload(request)
            elif content_type.lower() != "application/json":
                raise RequestError(415, "Send the request as Content-Type: application/json.")
        data = await super().parse_http_body(request)
        if not isinstance(data, GraphQLRequestData):  # a batch in a multipart `operations`
            raise RequestError(400, "Batching is not supported: send one operation per request.")
        if data.operation_name is not None and not isinstance(data.operation_name, str):
            raise RequestError(400, "The GraphQL operation's `operationName` must be a string.")
        if data.operation_name == "":
            data.operation_name = None  # GraphQL over HTTP: empty means absent
        for name in ("variables", "extensions"):
            if json_depth(getattr(data, name)) > MAX_NESTING_DEPTH:
                raise RequestError(400, f"`{name}` nest deeper than {MAX_NESTING_DEPTH} levels.")
        return data

    async def parse_multipart(self, request: AsyncHTTPRequestAdapter) -> dict[str, str]:
        """Strawberry's reading of `operations` and `map`, with a `map` that does not fit
        `operations` (a path through a list, a batch) answered 400 instead of a 500."""
        try:
            return await super().parse_multipart(request)
        except (ValueError, TypeError, IndexError, AttributeError) as exc:
            raise RequestError(
                400, "The multipart request's `map` does not fit its `operations`."
            ) from exc

    async def execute_single(  # type: ignore[override]
        self, *, request_data: GraphQLRequestData, context: Context, **kwargs: Any
    ) -> Any:
        context.operation_name = request_data.operation_name
        if (record := request_record.current()) is not None and isinstance(request_data.query, str):
            record.describe(self.schema, request_data.query, request_data.operation_name)
        try:
            return await super().execute_single(
                request_data=request_data, context=context, **kwargs
            )
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):  # GET runs only queries
                raise RequestError(
                    405, "Mutations need POST: GET runs queries only.", headers={"Allow": "POST"}
                ) from None
            if isinstance(error.__cause__, CannotGetOperationTypeError):  # a request error
                extensions = {"code": OPERATION_RESOLUTION_FAILURE}
                return ExecutionResult(
                    data=None, errors=[GraphQLError(error.reason, extensions=extensions)]
                )
            raise

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        accept = request.headers.get("accept", "")
        sub_response.media_type = GRAPHQL_RESPONSE_JSON if GRAPHQL_RESPONSE_JSON in accept else None
        return sub_response

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        errors = result.errors or []
        if any(_unavailable(e) for e in errors):
            # The transaction did not commit: a partial answer would only mislead.
            return error_body(ServiceUnavailable().message, UNAVAILABLE)
        for whole in (TransientConflict, StatementTimeout):  # the transaction was undone
            if any(_coded(e, whole.code) for e in errors):
                return error_body(whole().message, whole.code)
        response = await super().process_result(request, result)
        # Errors without a path were raised before execution (syntax, validation, variables,
        # guard rails): the GraphQL spec says `data` is then absent, not null.
        if result.data is None and errors and all(e.path is None for e in errors):
            response.pop("data", None)
        return response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if (record := request_record.current()) is not None:
            record.error_codes = request_record.error_codes(response_data)
        codes = _codes(response_data)
        if UNAVAILABLE in codes:
            response.status_code = 503
            response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        elif TransientConflict.code in codes:
            response.status_code = 409
        elif StatementTimeout.code in codes:
            response.status_code = 503
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = _status_without_data(codes)
        return response


def refuse_unsafe_upload(request: AsyncHTTPRequestAdapter) -> None:
    """A multipart request is one a browser sends cross-site without a CORS preflight, so
    it is accepted only with a bearer credential: the Authorization header is what forces
    the preflight (the CSRF rule of the multipart spec's servers), and uploads are for
    signed-in callers anyway."""
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        raise RequestError(
            400,
            "A multipart (file upload) request needs an Authorization: Bearer header.",
            code="UPLOAD_NEEDS_CREDENTIAL",
        )


def _status_without_data(codes: set[str]) -> int:
    """A `graphql-response+json` answer without `data`: the request failed as a whole."""
    if UNAVAILABLE in codes or StatementTimeout.code in codes:
        return 503
    if TransientConflict.code in codes:
        return 409
    return 401 if codes == {"UNAUTHENTICATED"} else 400


def _coded(error: GraphQLError, code: str = UNAVAILABLE) -> bool:
    return (error.extensions or {}).get("code") == code


def _unavailable(error: GraphQLError) -> bool:
    """Set by OperationLifecycle, or raised where it could not see it (ending the
    transaction on a lost connection)."""
    return _coded(error) or is_unavailable(error.original_error)


def _codes(response_data: Any) -> set[str]:
    if not isinstance(response_data, dict):
        return set()
    return {
        (error.get("extensions") or {}).get("code", "")
        for error in response_data.get("errors") or []
    }
