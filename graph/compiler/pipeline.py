"""The hook in front of the Strawberry executor: answer a query with its compiled plan.

A request is answered here only when every step succeeds: a JSON POST or a GET with a
query, one valid query operation, an authenticated caller, a plan for the caller's roles
and the variables' shapes, values that meet the plan's preconditions, and a result without
a place where the reference would report an error. Otherwise the reference executor answers
the whole operation (and this logs why, in development). Either way the response says which
path produced it in `X-Khub-Execution`.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from graphql.language.parser import MAX_NESTING_DEPTH
from starlette.requests import Request
from starlette.responses import Response

from graph import request_record, tracing
from graph.compiler.arguments import Env, Fallback
from graph.compiler.compile import HITS_SEPARATOR
from graph.compiler.document import Documents, Operation
from graph.compiler.known_callers import Credential, KnownCallers, guard_values
from graph.compiler.plan import Answered, Plan, Prepared, coerce, plan_for
from graph.context import Context
from graph.core import cost_limit, error_log, rate_limit
from graph.core.errors import StatementTimeout
from graph.http_errors import RequestError, error_response, json_depth
from graph.retrieval import entries
from persistence.availability import is_timed_out

log = logging.getLogger("khub.compiler")

EXECUTION = "X-Khub-Execution"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
FAILED = "the statement failed"  # the snapshot is broken: the reference starts anew


class CompiledReads:
    """Plans per document and viewer kind, and the request handling around them."""

    def __init__(self, schema: Any, settings: Any) -> None:
        self.schema = schema
        self.settings = settings
        self.documents = Documents(schema)
        self.callers = KnownCallers()

    async def answer(self, request: Request, view: Any) -> Response | Context | None:
        """The compiled response; or, to let the reference executor answer, the context
        it should run in (authenticated already, its snapshot begun; the caller finishes
        it), or None when it needs a fresh one."""
        given = await _request_data(request)
        if isinstance(given, str):
            return self._fallback(given)
        query, variables, operation_name, extensions = given
        if (record := request_record.current()) is not None:
            record.describe(self.schema, query, operation_name)
        operation = self.documents.get(query, operation_name)
        if isinstance(operation, str):
            return self._fallback(operation)
        context = await view.get_context(request, None)
        context.operation.replica_allowed = True  # a query: the replica may answer it
        cost_limit.measure(context, self.schema, query, operation_name, variables, extensions)
        handed_over = False
        try:
            try:
                answer = await self._run(context, operation, variables)
            except StatementStopped:
                return stopped(request.headers.get("accept", ""))
            if isinstance(answer, Response):
                return answer
            handed_over = context.authenticated and answer != FAILED
            self._fallback(answer)
            return context if handed_over else None
        finally:
            if not handed_over:
                await context.operation.finish(commit=False)

    def _fallback(self, reason: str) -> None:
        if not self.settings.production:
            log.debug("reference executor: %s", reason)

    async def _run(self, context: Any, operation: Operation, variables: dict[str, Any]) -> Any:
        if cost_limit.refusal(context, identified=False) is not None:
            return "over the cost limit"  # the reference refuses it, before authenticating
        # A budget is spent as the caller authenticates: then every request authenticates.
        credential = Credential.of(context.bearer()) if self.settings.rate_budget is None else None
        known = self.callers.get(credential) if credential is not None else None
        if known is not None:
            context.viewer = known.viewer  # to be confirmed by the statement itself
        else:
            try:
                await context.authenticate()
            except Exception:  # the reference reports it, with its own logging
                return "authentication failed"
            if rate_limit.refusal(context) is not None:
                return "rate limited"  # the reference refuses it
            if credential is not None:
                self.callers.remember(credential, context.viewer)
        viewer = context.viewer
        if not viewer.is_authenticated:
            return "an anonymous caller"
        canonical = canonical_json(variables)
        key = plan_key(viewer, operation, variables)
        if cost_limit.refusal(context, identified=True) is not None:
            return "over the caller's cost limit"  # the reference refuses it
        try:
            cached = operation.plans.get(key)
            if isinstance(cached, Plan) and cached.known(canonical):
                # Seen with these variables: they coerced, and only the viewer's binds are new.
                plan, env = cached, Env(None, **viewer_binds(viewer))
            else:
                env = Env(coerce(self.schema, operation, variables), **viewer_binds(viewer))
                dialect = context.db.engine.dialect
                plan = plan_for(
                    self.schema, operation, env, key, is_admin=viewer.is_admin, dialect=dialect
                )
                if isinstance(plan, str):
                    return plan
            prepared = plan.values(env, canonical)
        except Fallback as reason:
            return f"a precondition fails: {reason}"
        values = prepared.values
        started = time.perf_counter()
        answered = plan.errors
        if answered is not None and answered.data is not None and known is None:
            text = answered.data  # the caller is authenticated and there is nothing to read
        elif known is not None:
            guard = guard_values(known, credential, self.settings.database.statement_timeout_ms)  # type: ignore[arg-type]
            text = await _execute(context, plan.guarded_sql, values + guard)
            if text is None:  # not the same caller any more, or the statement failed
                self.callers.forget(credential)  # type: ignore[arg-type]
                return "a known caller's credential did not hold"
        else:
            text = await _execute(context, plan.sql, values)
        if text is None:
            return FAILED
        recorder = context.request.app.state.retrieval
        data = answered_data(plan, prepared, text, viewer, recorder, started)
        if data is None:
            return "the reference would report an error"
        if answered is not None:
            _report(context, answered)
        if (record := request_record.current()) is not None:
            record.execution = "compiled"
        return _response(context.request, data, answered, cost_limit.report(context))


def _report(context: Any, answered: Answered) -> None:
    """Log and count the refused fields' errors as the reference does for its own."""
    for error in answered.errors:
        error_log.report(error, context.request_id)
    if (record := request_record.current()) is not None:
        record.error_codes = [error.extensions["code"] for error in answered.errors]


def answered_data(
    plan: Plan, prepared: Prepared, text: str, viewer: Any, recorder: Any, started: float
) -> str | None:
    """The data of the statement's `text`, its searches' hits handed to the retrieval history
    as the reference's resolvers record them; None where the reference would report an
    error (nothing is recorded then: the reference answers, and records, instead)."""
    if plan.searches:
        text, _, hits = text.rpartition(HITS_SEPARATOR)
    if not plan.answered(text):
        return None
    if plan.searches:
        duration_ms = (time.perf_counter() - started) * 1000
        for call, found in zip(prepared.searches, orjson.loads(hits), strict=True):
            recorder.record(entries.compiled_search_entry(viewer, call, found, duration_ms))
    return text


def plan_key(viewer: Any, operation: Operation, variables: dict[str, Any]) -> tuple[Any, ...]:
    """What a plan is cached by: the viewer's roles and scopes, and the variables' shape."""
    return (frozenset(viewer.roles), frozenset(viewer.scopes), operation.shape(variables))


def viewer_binds(viewer: Any) -> dict[str, Any]:
    return {"organization_id": viewer.organization_id, "user_id": viewer.user_id}


def canonical_json(variables: dict[str, Any]) -> bytes | None:
    """The variables as one key: the same values give the same bytes whatever their order."""
    try:
        return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer past 64 bits: the reference will refuse it anyway
        return None


class StatementStopped(Exception):
    """The compiled statement ran past the statement timeout: the reference executor would
    only run as long again, so the request is answered `STATEMENT_TIMEOUT` at once."""


def stopped(accept: str) -> Response:
    """The answer to an operation the statement timeout stopped, as the reference gives it."""
    error = RequestError(503, StatementTimeout().message, code=StatementTimeout.code)
    response = error_response(error, accept)
    response.headers[EXECUTION] = "compiled"
    return response


async def _execute(context: Any, sql: str, values: tuple[Any, ...]) -> str | None:
    try:
        with tracing.span("graphql.compiled_statement"):
            if not context.authenticated:  # a known caller: one statement, alone
                return await context.operation.read_alone(sql, values)  # type: ignore[no-any-return]
            async with context.operation.connection() as connection:
                result = await connection.exec_driver_sql(sql, values)
                return result.scalar()  # type: ignore[no-any-return]
    except Exception as exc:
        if is_timed_out(exc):
            raise StatementStopped from exc
        log.debug("compiled statement failed", exc_info=True)
        return None


async def _request_data(request: Request) -> tuple[str, dict[str, Any], str | None, Any] | str:
    """query, variables, operation name and extensions of a plain GraphQL-over-HTTP
    request."""
    if request.method == "GET":
        if "text/html" in request.headers.get("accept", ""):
            return "a GraphiQL page"
        params = request.query_params
        data: Any = dict(params)
        try:
            data["variables"] = (
                orjson.loads(params["variables"]) if params.get("variables") else None
            )
            data["extensions"] = (
                orjson.loads(params["extensions"]) if params.get("extensions") else None
            )
        except ValueError:
            return "variables or extensions are not JSON"
    elif request.method == "POST":
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return "not a JSON body"
        try:
            data = orjson.loads(await request.body())
        except ValueError:  # not JSON, not UTF-8, an unpaired surrogate, nested too deeply
            return "the body is not JSON"
    else:
        return f"a {request.method} request"
    if not isinstance(data, dict):
        return "the body is not an object"
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not isinstance(name, str | None):
        return "no query"
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        return "variables are not an object"
    if json_depth(variables) > MAX_NESTING_DEPTH:
        return "variables nest too deeply"
    return query, variables, name, data.get("extensions")


def _response(
    request: Request, text: str, answered: Answered | None, cost: dict[str, int] | None
) -> Response:
    """`{"data":…,"errors":[…],"extensions":…}`, in the order Strawberry writes them."""
    body = b'{"data":' + text.encode()
    if answered is not None:
        body += b',"errors":' + answered.json
    if cost is not None:
        body += b',"extensions":' + orjson.dumps({"cost": cost})
    body += b"}"
    return Response(
        body,
        media_type=media_type(request.headers.get("accept", "")),
        headers={EXECUTION: "compiled"},
    )


def media_type(accept: str) -> str:
    """The GraphQL-over-HTTP media type when the client accepts it, else plain JSON."""
    if GRAPHQL_RESPONSE_JSON in accept:
        return f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    return "application/json"
