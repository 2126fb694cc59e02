"""A compiled plan: SQL text made once, and how each request's values are bound to it."""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import GraphQLError
from graphql.execution.values import get_variable_values
from sqlalchemy import Text, literal_column, select

from graph.compiler import known_callers
from graph.compiler.arguments import Env, Fallback, Getter, Uncompilable
from graph.compiler.compile import ORGANIZATION, SENTINEL, USER, Compiler, Refusal
from graph.compiler.document import Operation
from graph.compiler.selection import Collector

log = logging.getLogger("khub.compiler")

MAX_PLANS_PER_OPERATION = 64
MAX_VALUES_PER_PLAN = 256
VIEWER_BINDS = frozenset({ORGANIZATION.key, USER.key})


@dataclass(frozen=True)
class Bind:
    name: str
    getter: Any  # Callable[[Env], Any] | None
    constant: Any
    processor: Any  # Callable[[Any], Any] | None

    def value(self, env: Env) -> Any:
        value = self.constant if self.getter is None else self.getter(env)
        return self.processor(value) if self.processor is not None and value is not None else value


@dataclass(frozen=True)
class Prepared:
    """A request's parameters, and the calls of its searches (`graph/retrieval/entries.py`)."""

    values: tuple[Any, ...]
    searches: tuple[Any, ...]


@dataclass(frozen=True)
class Plan:
    """One statement's text and its positional parameters.

    Every value but the viewer's organization and user is a function of the request's
    variables alone, and turning arguments into values (Strawberry's argument conversion,
    cursors, ids) costs more than the rest of a compiled request in Python: so those values
    are kept per distinct variables, and a repeated request only fills in the viewer.
    """

    sql: str
    binds: tuple[Bind, ...]
    uses_sentinel: bool
    guarded_sql: str
    """The statement inside the one that also authenticates (`known_callers`)."""
    searches: tuple[Any, ...] = ()
    """Per search root field, how its call is described for the retrieval history; its hits
    follow the data in the statement's text (`Compiler.operation`)."""
    checks: tuple[Getter, ...] = ()
    """Preconditions on the request's values that no parameter of the statement carries:
    `Compiler.checks`, and the getters of parameters the statement does not use (every
    field that would read them is skipped, or nothing is read): each also checks its
    argument, and the reference refuses a bad argument whatever is selected below it."""
    errors: Answered | None = None
    """The errors of the fields the reference refuses this plan's viewers, known at plan
    time; with `errors.data` the whole data (null): then nothing needs to be read."""
    _by_variables: OrderedDict[bytes, Prepared] = field(
        default_factory=OrderedDict, compare=False, repr=False
    )

    def known(self, variables: bytes | None) -> bool:
        """Whether values were made for these variables (their canonical JSON) already."""
        return variables is not None and variables in self._by_variables

    def values(self, env: Env, variables: bytes | None) -> Prepared:
        """The statement's parameters for `env`, whose variables' canonical JSON is
        `variables` (None: not to be kept), and its searches' calls."""
        known = None if variables is None else self._by_variables.get(variables)
        if known is None:
            known = self._values(env)
            if variables is not None:
                self._by_variables[variables] = known
                if len(self._by_variables) > MAX_VALUES_PER_PLAN:
                    self._by_variables.popitem(last=False)
        values = tuple(
            bind.value(env) if bind.name in VIEWER_BINDS else value
            for bind, value in zip(self.binds, known.values, strict=True)
        )
        return Prepared(values, known.searches)

    def _values(self, env: Env) -> Prepared:
        try:
            for check in self.checks:
                check(env)
            return Prepared(
                tuple(
                    None if bind.name in VIEWER_BINDS else bind.value(env) for bind in self.binds
                ),
                tuple(describe(env) for describe in self.searches),
            )
        except Fallback:
            raise
        except Exception as exc:
            raise Fallback(str(exc)) from exc

    def answered(self, text: str) -> bool:
        """False when the data holds a place where the reference would report an error."""
        return not (self.uses_sentinel and SENTINEL in text)


@dataclass(frozen=True)
class Answered:
    """A plan's constant part of the response: the refused fields' errors, as the reference
    formats them (`GraphQLError.formatted`, orjson), and, when one of them is non-null, the
    data they null (`null`)."""

    errors: tuple[GraphQLError, ...]
    json: bytes
    data: str | None

    @classmethod
    def of(cls, refusals: list[Refusal]) -> Answered | None:
        """As graphql-core answers: a nullable field's error nulls the field; a non-null
        root field's error nulls `data` and cancels its siblings, so only the first such
        error is reported. Refusals happen before any field reads anything, so they come
        in field order."""
        if not refusals:
            return None
        non_null = [refusal for refusal in refusals if refusal.non_null]
        if non_null and len(non_null) != len(refusals):
            # nullable errors are collected as their fields start, before data is nulled:
            # which ones depends on the executor's scheduling
            raise Uncompilable("nullable and non-null refused fields in one operation")
        errors = tuple(refusal.error for refusal in (non_null[:1] or refusals))
        payload = orjson.dumps([error.formatted for error in errors])
        return cls(errors=errors, json=payload, data="null" if non_null else None)


def coerce(schema: Any, operation: Operation, raw: dict[str, Any]) -> Any:
    """The variables as the executor coerces them; Fallback when they do not coerce, or when
    an argument is input the reference refuses before it runs (`input_check`)."""
    if operation.refuses(raw):
        raise Fallback("an argument is refused as input")
    coerced = get_variable_values(
        schema._schema, operation.operation.variable_definitions or (), raw, max_errors=1
    )
    if isinstance(coerced, list):
        raise Fallback("the variables do not coerce")
    return coerced


def build(schema: Any, operation: Operation, env: Env, *, is_admin: bool, dialect: Any) -> Plan:
    """Walk the operation and compile its statement to text, once."""
    collector = Collector(schema._schema, operation.fragments, env.variables)
    compiler = Compiler(schema, collector, env, is_admin=is_admin)
    statement = compiler.operation(operation.operation)
    answered = Answered.of(compiler.refusals)
    nothing_read = answered is not None and answered.data is not None
    if nothing_read:
        # Nothing to read; yet the reference refuses the siblings' bad values first or
        # alike (it starts every root field), so their preconditions still apply: every
        # parameter is unused, hence checked (below).
        statement = select(literal_column("'null'", Text))
    compiled = statement.compile(dialect=dialect)
    getters = dict(compiler.params.getters)
    getters[ORGANIZATION.key] = lambda env: env.organization_id
    getters[USER.key] = lambda env: env.user_id
    binds = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        binds.append(
            Bind(
                name=name,
                getter=getters.get(name),
                constant=bind.effective_value,
                processor=bind.type.bind_processor(dialect),
            )
        )
    used = set(compiled.positiontup or ())
    unused = [g for name, g in compiler.params.getters.items() if name not in used]
    checks = (*compiler.checks, *unused)
    sql = f"{known_callers.MARK} {compiled.string}"
    return Plan(
        sql=sql,
        binds=tuple(binds),
        uses_sentinel=compiler.uses_sentinel,
        guarded_sql=known_callers.guarded(sql, len(binds)),
        # nothing read, no hits to record: the statement is replaced above
        searches=() if nothing_read else tuple(call for call, _ in compiler.searches),
        checks=checks,
        errors=answered,
    )


def plan_for(
    schema: Any, operation: Operation, env: Env, key: Any, *, is_admin: bool, dialect: Any
) -> Plan | str:
    """The cached plan for `key` (viewer kind, variable shapes), made on first use."""
    found = operation.plans.get(key)
    if found is None:
        try:
            found = build(schema, operation, env, is_admin=is_admin, dialect=dialect)
        except Uncompilable as reason:
            found = str(reason)
        except Fallback:
            raise
        except Exception as exc:  # a bug of the compiler: the reference still answers
            log.exception("the compiler failed; the reference executor answers")
            found = f"the compiler failed: {exc!r}"
        operation.plans[key] = found
        if len(operation.plans) > MAX_PLANS_PER_OPERATION:
            operation.plans.popitem(last=False)
    return found
