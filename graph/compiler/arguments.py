"""Argument values of one request, and the bound parameters a plan reads them through.

A plan is built once per document shape; each request binds its own values. A parameter
is a getter over the request's `Env`; a getter that raises `Fallback` (an argument out of
range, a forged cursor, a global id of the wrong type) sends the whole operation to the
reference executor, which answers with the error the client must see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import FieldNode, GraphQLField, ListValueNode, ObjectValueNode, ValueNode, VariableNode
from graphql.execution.values import get_argument_values
from sqlalchemy import bindparam
from sqlalchemy.sql.elements import BindParameter
from strawberry.types.arguments import convert_arguments


class Uncompilable(Exception):
    """The operation (for this viewer and these variable shapes) does not compile."""


class Fallback(Exception):
    """This request's values break a precondition of the plan."""


class ArgSite:
    """A field's arguments in the document: their Python values, as the resolver gets them."""

    def __init__(self, schema: Any, field: GraphQLField, node: FieldNode) -> None:
        self.schema = schema
        self.field = field
        self.node = node
        self.definition = field.extensions["strawberry-definition"]
        self._variable = {
            argument.name.value
            for argument in node.arguments or ()
            if _has_variable(argument.value)
        }

    def written(self, *names: str) -> bool:
        """Whether these arguments are written out in the document (or absent), not given by
        variables: their values are the same for every request."""
        return not self._variable.intersection(names)

    def values(self, variables: Any) -> dict[str, Any]:
        raw = get_argument_values(self.field, self.node, variables)
        return convert_arguments(
            raw,
            self.definition.arguments,
            scalar_registry=self.schema.schema_converter.scalar_registry,
            config=self.schema.config,
        )


class Env:
    """One request's variables and the argument values computed from them (memoised)."""

    def __init__(self, variables: Any, *, organization_id: Any = None, user_id: Any = None):
        self.variables = variables
        self.organization_id = organization_id
        self.user_id = user_id
        self._memo: dict[int, Any] = {}

    def memo(self, key: object, compute: Callable[[], Any]) -> Any:
        # the key is kept with its value: an id is unique only while its object lives
        kept, found = self._memo.get(id(key), (None, _MISSING))
        if found is _MISSING or kept is not key:
            try:
                found = compute()
            except Fallback:
                raise
            except Exception as exc:
                raise Fallback(str(exc)) from exc
            self._memo[id(key)] = (key, found)
        return found

    def args(self, site: ArgSite) -> dict[str, Any]:
        return self.memo(site, lambda: site.values(self.variables))


def _has_variable(value: ValueNode) -> bool:
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(_has_variable(item) for item in value.values)
    if isinstance(value, ObjectValueNode):
        return any(_has_variable(field.value) for field in value.fields)
    return False


_MISSING = object()

Getter = Callable[[Env], Any]


class Params:
    """The bound parameters of a plan being built, each with its getter."""

    def __init__(self) -> None:
        self.getters: dict[str, Getter] = {}

    def bind(self, getter: Getter, type_: Any = None) -> BindParameter[Any]:
        name = f"p{len(self.getters)}"
        self.getters[name] = getter
        return bindparam(name, type_=type_)
