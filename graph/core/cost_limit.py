"""The cost limit: an operation's estimate (graph/core/cost.py) against the caller's maximum.

Both execution paths call it at the same points, so they refuse alike: `measure` before
authentication, `refusal` then with no caller yet (against the highest maximum any caller
could have: the worst operations cost no SQL at all) and again once the caller's roles are
known (after the one authentication statement, before any data statement). The compiled
path refuses nothing itself: it hands the operation to the reference executor, whose
`OperationLifecycle` raises the error. In development the limit is reported, not enforced
(`ServerSettings.enforces_cost`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.core import cost
from graph.settings import ServerSettings

log = logging.getLogger("khub.cost")

COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"


@dataclass
class Measured:
    """An operation's estimated cost, and whether the client asked to see it."""

    requested: int
    asked: bool


def asked(extensions: Any) -> bool:
    """The client asks for the estimate with the request extension `{"cost": true}`."""
    return isinstance(extensions, Mapping) and extensions.get("cost") is True


def measure(
    context: Any,
    schema: Any,
    query: str | None,
    operation_name: str | None,
    variables: Any,
    extensions: Any,
) -> Measured | None:
    """The operation's cost, once per request (the compiled path measures it first).
    `schema` is Strawberry's, with its cache of checked documents."""
    if context.cost is None and query is not None:
        checked = schema.documents.get(schema._schema, query)
        requested = cost.estimate(schema._schema, checked, operation_name, variables)
        context.cost = Measured(requested, asked(extensions))
    return context.cost  # type: ignore[no-any-return]


def ceiling(settings: ServerSettings) -> int:
    """The highest maximum any caller can have; 0 is no limit."""
    if settings.max_cost == 0:
        return 0
    return max([settings.max_cost, *(m for _, m in settings.max_cost_by_role)])


def maximum_for(settings: ServerSettings, roles: Any) -> int:
    """The caller's maximum: the highest of their roles' own maxima, else the default."""
    if settings.max_cost == 0:
        return 0
    names = {getattr(r, "value", r) for r in roles}
    own = [m for role, m in settings.max_cost_by_role if role in names]
    return max(own) if own else settings.max_cost


def refusal(context: Any, *, identified: bool) -> GraphQLError | None:
    """The error refusing the operation, if its cost is over the maximum: before the caller
    is known (`identified` False) the highest any caller has, after it the caller's own."""
    settings: ServerSettings = context.settings
    measured: Measured | None = context.cost
    if measured is None:
        return None
    maximum = maximum_for(settings, context.viewer.roles) if identified else ceiling(settings)
    if maximum == 0 or measured.requested <= maximum:
        return None
    if not settings.enforces_cost:
        if identified:
            log.warning(
                "request %s: the operation costs %d, over the limit of %d (not enforced)",
                context.request_id,
                measured.requested,
                maximum,
            )
        return None
    return GraphQLError(
        f"The operation costs {measured.requested:,}, over the limit of {maximum:,}: ask for"
        " fewer rows (`first`, `last`), fewer nested lists, a smaller `depth` or fewer"
        " aliases.",
        extensions={
            "code": COST_LIMIT_EXCEEDED,
            "cost": {"requested": measured.requested, "maximum": maximum},
        },
    )


def report(context: Any) -> dict[str, int] | None:
    """`extensions.cost` of the response: when the client asked for it, and in development
    whenever the operation went over its (unenforced) maximum."""
    measured: Measured | None = context.cost
    if measured is None:
        return None
    maximum = maximum_for(context.settings, context.viewer.roles)
    over = maximum != 0 and measured.requested > maximum
    if not (measured.asked or over):
        return None
    return {"requested": measured.requested, "maximum": maximum}


class ReportCost(SchemaExtension):
    """Adds `extensions.cost` to the reference executor's responses (see `report`)."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        found = report(context) if context is not None else None
        return {"cost": found} if found is not None else {}
