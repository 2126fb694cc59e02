"""Schema extensions that frame every operation: its transaction, and error masking."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from starlette.websockets import WebSocket
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.graphql import OperationType

from graph.core import cost_limit, rate_limit
from graph.core.errors import ServiceUnavailable, StatementTimeout, TransientConflict
from graph.core.guards import refuse_long_lists, refuse_pointless_anonymous
from graph.core.lone_fields import signs_in
from persistence.availability import is_timed_out, is_transient_conflict, is_unavailable

log = logging.getLogger("khub.graphql")

EXPECTED_CODES = {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "BAD_USER_INPUT",
    "SERVICE_UNAVAILABLE",
    TransientConflict.code,
    StatementTimeout.code,
    "INTERNAL_SERVER_ERROR",  # already logged and shaped where it happened
    cost_limit.COST_LIMIT_EXCEEDED,
    rate_limit.RATE_LIMITED,
}


def is_expected(error: GraphQLError) -> bool:
    """Errors the client caused (bad query, missing rights) rather than bugs of ours."""
    if error.original_error is None:
        return True  # parse and validation errors
    return (error.extensions or {}).get("code") in EXPECTED_CODES or isinstance(
        error.original_error, GraphQLError
    )


def unexpected_error(request_id: str, detail: str, *, production: bool) -> GraphQLError:
    """What a client sees of a bug: in production only the request id to report."""
    message = f"Unexpected error. Request id: {request_id}" if production else detail
    return GraphQLError(
        message, extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    )


class OperationLifecycle(SchemaExtension):
    """Authenticates the caller, picks the transaction mode, and ends the transaction:
    a mutation commits unless a bug (an unexpected error) happened; a query rolls back.
    An operation over the cost limit is refused before and after authentication, before
    any data statement (graph/core/cost_limit.py)."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context.context
        execution = self.execution_context
        context.operation.read_only = execution.operation_type != OperationType.MUTATION
        context.operation.replica_allowed = execution.operation_type == OperationType.QUERY
        cost_limit.measure(
            context,
            execution.schema,
            execution.query,
            execution.operation_name,
            execution.variables,
            execution.operation_extensions,
        )
        _refuse(cost_limit.refusal(context, identified=False))
        if execution.operation_type == OperationType.SUBSCRIPTION:
            _refuse(subscription_transport(context))
        try:
            if not signs_in(execution.graphql_document, execution.operation_name):
                await context.authenticate()
        except Exception as exc:
            if is_unavailable(exc):
                log.warning("request %s: the database is unavailable: %s", context.request_id, exc)
                raise ServiceUnavailable() from None
            log.exception("request %s: authentication failed", context.request_id)
            raise unexpected_error(
                context.request_id, str(exc), production=context.settings.production
            ) from None
        _refuse(rate_limit.refusal(context))
        _refuse(cost_limit.refusal(context, identified=True))
        refuse_pointless_anonymous(self.execution_context)
        refuse_long_lists(self.execution_context)
        yield

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        context = self.execution_context.context
        commit = False
        try:
            yield
            result = self.execution_context.result
            errors = getattr(result, "errors", None) or []
            if any(is_unavailable(e.original_error) for e in errors):
                log.warning("request %s: the database is unavailable", context.request_id)
                result.errors = [ServiceUnavailable()]  # type: ignore[union-attr]
                return
            # Either undoes the whole transaction: the mutations before the one that met it
            # did not stand either, and a query's later statements fail in the aborted
            # snapshot, so none of the data may be answered.
            if any(is_transient_conflict(e.original_error) for e in errors):
                log.info("request %s: undone to break a deadlock", context.request_id)
                result.errors = [TransientConflict()]  # type: ignore[union-attr]
                return
            if any(is_timed_out(e.original_error) for e in errors):
                log.warning("request %s: stopped by the statement timeout", context.request_id)
                result.errors = [StatementTimeout()]  # type: ignore[union-attr]
                return
            # Errors were logged already, once each (graph/core/error_log.py).
            commit = not any(not is_expected(e) for e in errors)
        finally:
            await context.operation.finish(commit=commit)


def subscription_transport(context: Any) -> GraphQLError | None:
    """Subscriptions stream over the websocket; over HTTP they would answer nothing."""
    if isinstance(context.request, WebSocket):
        return None
    message = "Subscriptions run over a websocket at this path (graphql-transport-ws)."
    return GraphQLError(message, extensions={"code": "BAD_REQUEST"})


def _refuse(error: GraphQLError | None) -> None:
    if error is not None:
        raise error


class MaskUnexpectedErrors(MaskErrors):
    """Production: a bug shows only a request id, which the log line also carries."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not is_expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = self.execution_context.context.request_id
        return GraphQLError(
            message=f"Unexpected error. Request id: {request_id}",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
