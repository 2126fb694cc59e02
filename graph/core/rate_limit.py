"""Rate limits at the HTTP edge: the refusal, and the headers every limited response carries.

The spend itself happens with authentication (graph/context.py, persistence/rate_limits.py).
Both execution paths refuse alike: the compiled path hands a refused operation to the
reference executor, whose `OperationLifecycle` raises `RATE_LIMITED`; the view then answers
429 with `Retry-After`. Every response of a request that spent carries the IETF RateLimit
fields (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy: "cost";q=<budget>;w=<window>`
and `RateLimit: "cost";r=<remaining>;t=<seconds to the window's end>`.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response

from graph import metrics
from persistence.rate_limits import Spent

RATE_LIMITED = "RATE_LIMITED"
POLICY = "cost"


def refusal(context: Any) -> GraphQLError | None:
    spent: Spent | None = context.spent
    if spent is None or spent.admitted:
        return None
    return GraphQLError(
        f"Rate limit exceeded: this operation costs {context.cost.requested:,} and"
        f" {spent.remaining:,} of {spent.budget.units:,} units are left in this"  # type: ignore[union-attr]
        f" {spent.budget.window_seconds}-second window; retry in {spent.retry_after} s.",  # type: ignore[union-attr]
        extensions={"code": RATE_LIMITED, "retryAfter": spent.retry_after},
    )


def decorate(request: Request, response: Response) -> None:
    """The RateLimit fields, and 429 with Retry-After when the request was refused."""
    spent: Spent | None = request.scope.get("state", {}).get("rate_limit")
    if spent is None or spent.budget is None:
        return
    budget = spent.budget
    response.headers["RateLimit-Policy"] = f'"{POLICY}";q={budget.units};w={budget.window_seconds}'
    response.headers["RateLimit"] = f'"{POLICY}";r={spent.remaining};t={spent.reset_seconds}'
    if not spent.admitted:
        metrics.rate_limited(POLICY)
        response.status_code = 429
        response.headers["Retry-After"] = str(spent.retry_after)
