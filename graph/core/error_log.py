"""Every GraphQL error passes here once, before masking: shaped for the client, then logged.

A client's mistake (a validation error, UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT) is one
log line at INFO without a traceback; only a bug is logged at ERROR with its traceback and
the request id the masked message shows. Messages are clipped in both places, so a
megabyte-sized value cannot be echoed back or written to the log.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import DBAPIError
from strawberry.relay import GlobalIDValueError
from strawberry.types import ExecutionContext

from graph.core.errors import StatementTimeout, TransientConflict, camel
from graph.core.extensions import is_expected
from graph.core.text import clip
from persistence.availability import is_timed_out, is_transient_conflict
from persistence.errors import translate

if TYPE_CHECKING:
    from graph.core.documents import Documents

log = logging.getLogger("khub.graphql")

MESSAGE_LIMIT = 300


def shape(error: GraphQLError) -> None:
    """Give a client's mistake the code clients switch on, and keep every message short."""
    original = error.original_error
    if isinstance(original, DBAPIError) and (domain := translate(original)) is not None:
        field = camel(getattr(domain, "field", None) or "input")
        error.message = domain.message
        error.extensions = {"code": "BAD_USER_INPUT", "field": field}
    elif isinstance(original, GlobalIDValueError):
        error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
    elif is_transient_conflict(original):  # no bug: the operation answers it whole
        error.message = TransientConflict().message
        error.extensions = {"code": TransientConflict.code}
    elif is_timed_out(original):  # likewise
        error.message = StatementTimeout().message
        error.extensions = {"code": StatementTimeout.code}
    error.message = clip(error.message, MESSAGE_LIMIT)


def _request_id(execution_context: ExecutionContext | None) -> str:
    context = getattr(execution_context, "context", None)
    return getattr(context, "request_id", None) or "-"


def report(error: GraphQLError, request_id: str) -> None:
    """One line for a client's mistake; the traceback only for a bug."""
    if is_expected(error):
        code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
        where = ".".join(str(p) for p in error.path) if error.path else "-"
        log.info("request %s: %s at %s: %s", request_id, code, where, error.message)
    else:
        log.error("request %s: %s", request_id, error.message, exc_info=error.original_error)


class Schema(strawberry.Schema):
    """Strawberry's schema with our error processing (its own logs each error with a
    traceback under `strawberry.execution`, client mistakes included), and the checked
    documents both execution paths share (graph/core/documents.py)."""

    documents: Documents

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        request_id = _request_id(execution_context)
        for error in errors:
            shape(error)
            report(error, request_id)
