"""The `/graphql` endpoint: Strawberry's ASGI view with our context and media types."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from graph import graphiql
from graph.compiler.pipeline import EXECUTION, CompiledReads
from graph.context import Context
from graph.settings import ServerSettings

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


class GraphQLView(GraphQL):
    """Builds a `Context` per request and speaks both JSON media types of GraphQL over HTTP.

    With `Accept: application/graphql-response+json` a request that could not be executed
    at all (no `data`) answers 400, as the GraphQL-over-HTTP spec asks; plain
    `application/json` keeps answering 200.
    """

    def __init__(self, schema: Any, settings: ServerSettings) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            allowed_origins=settings.allowed_origins,
        )
        self.settings = settings
        self.graphiql_page = graphiql.local_page() if settings.graphiql else None
        self.compiled = CompiledReads(schema, settings) if settings.compiled_reads else None

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """A query answered by its compiled plan when it has one; else Strawberry's answer."""
        if not isinstance(request, Request):
            return await super().run(request, context, root_value)
        if self.compiled is not None:
            compiled = await self.compiled.answer(request, self)
            if compiled is not None:
                return compiled
        response = await super().run(request, context, root_value)
        response.headers[EXECUTION] = "reference"
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page with locally served assets, or Strawberry's CDN page without them."""
        if self.graphiql_page is None:
            return await super().render_graphql_ide(request)
        return HTMLResponse(self.graphiql_page)

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:  # type: ignore[override]
        return Context(
            request=request,
            response=response,
            db=request.app.state.db,
            settings=self.settings,
            request_id=request.scope.get("state", {}).get("request_id") or "-",
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        accept = request.headers.get("accept", "")
        sub_response.media_type = GRAPHQL_RESPONSE_JSON if GRAPHQL_RESPONSE_JSON in accept else None
        return sub_response

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        response = await super().process_result(request, result)
        # Errors without a path were raised before execution (syntax, validation, variables,
        # guard rails): the GraphQL spec says `data` is then absent, not null.
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            response.pop("data", None)
        return response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = 400
        return response
