"""The `/graphql` endpoint: Strawberry's ASGI view with our context and media types."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

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
        )
        self.settings = settings

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

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = 400
        return response
