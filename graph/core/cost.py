"""Query cost: a static estimate of an operation's work, made before anything runs.

Each field costs 1 (or its declared weight). A list multiplies the cost of what it selects
by its size: a connection by its `first`/`last` (the default page size when absent), its
own `edges` and `nodes` then count once; any other list of objects by its `first`, a
declared size argument (`limit`, the `ids` given) or `DEFAULT_LIST_SIZE`. Fields declare
what differs in their metadata, next to the field (`weigh(...)`); `__typename` and
introspection cost nothing. `@skip`/`@include` are ignored: the estimate is an upper bound.

The structure is made once per (checked document, operation name) and kept on the
document's cache entry (graph/core/documents.py); a request only evaluates it with its
variables, which size the lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    value_from_ast_untyped,
)

from graph.core.documents import Checked
from persistence.pagination import Window

COST = "cost"
"""The metadata key of a field's `Weight`."""

DEFAULT_PAGE_SIZE = Window.default_size
"""A connection asked without `first` or `last` returns this many rows."""
DEFAULT_LIST_SIZE = 20
"""Assumed length of a list without a size argument (a document's tags, a node's edges)."""
MAX_OPERATIONS = 16  # operation names remembered per document, as the compiler does

Variables = Mapping[str, Any]
Size = Callable[[Variables], int]


@dataclass(frozen=True)
class Weight:
    """How a field's cost differs from the rule: its own cost, what sizes its list, and a
    factor read from another argument (`neighbors`: the walk's depth)."""

    own: int = 1
    size: int | None = None
    """A fixed size for the list (1: its items are counted by the field above)."""
    size_argument: str | None = None
    """The argument whose value (a number, or a list's length) is the list's size."""
    default_size: int | None = None
    """The size when that argument is absent or null."""
    factor_argument: str | None = None
    factors: Mapping[int, int] = field(default_factory=dict)
    """Multiplier per value of `factor_argument`; its largest for values not listed."""
    factor_default: int = 1


def weigh(**declared: Any) -> dict[str, Weight]:
    """A field's cost declaration, merged into its `metadata`: `metadata={**weigh(own=10)}`."""
    return {COST: Weight(**declared)}


Term = tuple[int, tuple[tuple[Size, "Term"], ...]]
"""(fields counted once, (size, what each item of a list costs) per list below)."""


def estimate(schema: GraphQLSchema, checked: Checked, name: str | None, variables: Any) -> int:
    """The operation's cost with these variables; 0 for a document that does not run."""
    term = checked.costs.get(name)
    if term is None:
        term = _term_for(schema, checked, name)
        if len(checked.costs) < MAX_OPERATIONS:
            checked.costs[name] = term
    return _evaluate(term, variables if isinstance(variables, Mapping) else {})


def _evaluate(term: Term, variables: Variables) -> int:
    own, lists = term
    return own + sum(size(variables) * _evaluate(each, variables) for size, each in lists)


def _term_for(schema: GraphQLSchema, checked: Checked, name: str | None) -> Term:
    if checked.document is None or checked.errors:
        return (0, ())
    operations = [d for d in checked.document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if (o.name.value if o.name else None) == name]
    if name is None and len(operations) == 1:
        chosen = operations
    if len(chosen) != 1:
        return (0, ())
    operation = chosen[0]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return (0, ())
    fragments = {
        d.name.value: d
        for d in checked.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    return _Walk(schema, fragments, defaults).selection(root, operation.selection_set)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        defaults: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.defaults = defaults

    def selection(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode, page: Size | None = None
    ) -> Term:
        """What a selection costs; `page` sizes the lists of a connection (its edges)."""
        own = 0
        lists: list[tuple[Size, Term]] = []
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                found = self.field(parent, node, page)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                found = self.selection(target or parent, node.selection_set, page)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                target = self.schema.get_type(fragment.type_condition.name.value)
                found = self.selection(target or parent, fragment.selection_set, page)
            else:
                continue
            own += found[0]
            for size, each in found[1]:
                if isinstance(size, _Fixed) and not each[1]:
                    own += size.value * each[0]  # folded once, here
                else:
                    lists.append((size, each))
        return (own, tuple(lists))

    def field(self, parent: GraphQLNamedType, node: FieldNode, page: Size | None) -> Term:
        name = node.name.value
        if name.startswith("__"):
            return (0, ())  # __typename, and introspection (refused in production)
        definition: GraphQLField = parent.fields[name]  # type: ignore[attr-defined]
        weight = _weight(definition)
        returned = get_named_type(definition.type)
        if node.selection_set is None or not is_composite_type(returned):
            return (weight.own, ())
        size = self.size(definition, node, weight, page)
        if _is_connection(returned):  # `totalCount` and `pageInfo` once, `edges` per row
            return (weight.own, ((_Fixed(1), self.selection(returned, node.selection_set, size)),))
        return (weight.own, ((size, self.selection(returned, node.selection_set)),))

    def size(
        self, definition: GraphQLField, node: FieldNode, weight: Weight, page: Size | None
    ) -> Size:
        """How many rows the field returns (a connection: how many edges)."""
        nullable = get_nullable_type(definition.type)
        returned = get_named_type(definition.type)
        if weight.size is not None:
            base: Size = _Fixed(weight.size)
        elif weight.size_argument is not None:
            base = self.argument(node, (weight.size_argument,), weight.default_size or 1)
        elif _is_connection(returned):
            base = self.argument(node, ("first", "last"), weight.default_size or DEFAULT_PAGE_SIZE)
        elif isinstance(nullable, GraphQLList):
            if page is not None:
                base = page  # a connection's edges, sized by the connection's arguments
            else:
                base = self.argument(node, ("first",), weight.default_size or DEFAULT_LIST_SIZE)
        else:
            base = _Fixed(1)
        if weight.factor_argument is None:
            return base
        factor = self.argument(node, (weight.factor_argument,), weight.factor_default)
        factors = weight.factors
        top = max(factors.values(), default=1)

        def sized(variables: Variables) -> int:
            return base(variables) * factors.get(factor(variables), top)

        return sized

    def argument(self, node: FieldNode, names: tuple[str, ...], default: int) -> Size:
        """The first of these arguments given (a literal or a variable), as a size."""
        for argument in node.arguments or ():
            if argument.name.value not in names:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                return _Variable(value.name.value, self.defaults.get(value.name.value), default)
            if isinstance(value, IntValueNode | ListValueNode):
                return _Fixed(_size(value_from_ast_untyped(value), default))
        return _Fixed(default)


class _Fixed:
    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value

    def __call__(self, variables: Variables) -> int:
        return self.value


class _Variable:
    __slots__ = ("default", "fallback", "name")

    def __init__(self, name: str, default: Any, fallback: int) -> None:
        self.name = name
        self.default = default
        self.fallback = fallback

    def __call__(self, variables: Variables) -> int:
        return _size(variables.get(self.name, self.default), self.fallback)


def _size(value: Any, default: int) -> int:
    """A number as itself, a list as its length; anything else (null, a wrong type that
    coercion will refuse) as the default."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, list):
        return len(value)
    return default


def _weight(definition: GraphQLField) -> Weight:
    strawberry_field = definition.extensions.get("strawberry-definition")
    metadata = getattr(strawberry_field, "metadata", None) or {}
    return metadata.get(COST) or _DEFAULT


_DEFAULT = Weight()


def _is_connection(type_: Any) -> bool:
    return (
        isinstance(type_, GraphQLObjectType)
        and type_.name.endswith("Connection")
        and "edges" in type_.fields
    )
