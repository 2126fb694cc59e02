"""Input PostgreSQL could never take, refused in one place before any resolver runs.

Every argument of the operation (literals and variables, through lists, input objects and
JSON scalars) is read against its GraphQL type once, before execution: a string with a NUL
character or an unpaired surrogate (PostgreSQL text cannot hold either) and an `ID` that is
not a global id (base64 of `TypeName:id`) are refused. Unstorable text in a mutation field
is a `ValidationError` naming the input field in its result union (`run` and `login` ask
`refusal_for`); anything else refused fails the whole operation with `BAD_USER_INPUT`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph.core.errors import BadUserInput, ValidationError
from graph.core.text import clip

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


@dataclass(frozen=True)
class Refusal:
    """Why one argument value is refused, and where: `("input", "title")`."""

    path: tuple[str, ...]
    problem: str  # "is not a valid id", said of the value at `path`
    # Strawberry decodes ids before a resolver runs, so a mutation cannot answer a malformed
    # id in its union: it fails the whole operation like a query's refusal does.
    in_union: bool = True

    @property
    def field(self) -> str:
        """The input field as a mutation's `ValidationError` names it (without `input.`)."""
        path = self.path[1:] if len(self.path) > 1 and self.path[0] == "input" else self.path
        return ".".join(path)

    def validation_error(self) -> ValidationError:
        return ValidationError(message=f"{self.field} {self.problem}", field=self.field)

    def bad_user_input(self) -> BadUserInput:
        argument = ".".join(self.path)
        return BadUserInput(f"{argument} {self.problem}", argument)


def _unstorable(value: Any) -> bool:
    """A string anywhere in `value` (keys too) that PostgreSQL text cannot hold."""
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, Mapping):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_unstorable(v) for v in value)
    return False


def _literal_unstorable(node: ValueNode, variables: Mapping[str, Any]) -> bool:
    if isinstance(node, StringValueNode):
        return UNSTORABLE.search(node.value) is not None
    if isinstance(node, VariableNode):
        return _unstorable(variables.get(node.name.value))
    if isinstance(node, ListValueNode):
        return any(_literal_unstorable(v, variables) for v in node.values)
    if isinstance(node, ObjectValueNode):
        return any(_literal_unstorable(f.value, variables) for f in node.fields)
    return False


def is_global_id(value: str) -> bool:
    """Base64 of `TypeName:rest`, as `relay.to_base64` writes it."""
    try:
        decoded = base64.b64decode(value, validate=True).decode()
    except (binascii.Error, ValueError):
        return False
    type_name, colon, _ = decoded.partition(":")
    return bool(colon) and GRAPHQL_NAME.fullmatch(type_name) is not None


def _check(
    type_: GraphQLInputType, node: ValueNode | None, raw: Any, path: tuple[str, ...], ctx: _Walk
) -> Refusal | None:
    """The first refusal inside one value: a literal `node`, or a `raw` variable value."""
    if isinstance(node, VariableNode):
        name = node.name.value
        if name not in ctx.variables:
            return None
        node, raw = None, ctx.variables[name]
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        items = node.values if isinstance(node, ListValueNode) else None
        if items is None and node is None and isinstance(raw, list):
            return _first(_check(type_.of_type, None, v, path, ctx) for v in raw)
        if items is not None:
            return _first(_check(type_.of_type, v, None, path, ctx) for v in items)
        return _check(type_.of_type, node, raw, path, ctx)
    if isinstance(type_, GraphQLInputObjectType):
        return _first(_input_fields(type_, node, raw, path, ctx))
    return _check_leaf(get_named_type(type_), node, raw, path, ctx)


def _input_fields(
    type_: GraphQLInputObjectType,
    node: ValueNode | None,
    raw: Any,
    path: tuple[str, ...],
    ctx: _Walk,
) -> Iterator[Refusal | None]:
    if isinstance(node, ObjectValueNode):
        for item in node.fields:
            if (field := type_.fields.get(item.name.value)) is not None:
                yield _check(field.type, item.value, None, (*path, item.name.value), ctx)
    elif node is None and isinstance(raw, Mapping):
        for name, value in raw.items():
            if (field := type_.fields.get(name)) is not None:
                yield _check(field.type, None, value, (*path, name), ctx)


def _check_leaf(
    type_: GraphQLNamedType, node: ValueNode | None, raw: Any, path: tuple[str, ...], ctx: _Walk
) -> Refusal | None:
    unstorable = _literal_unstorable(node, ctx.variables) if node is not None else _unstorable(raw)
    if unstorable:
        return Refusal(path, "contains a NUL character or an unpaired surrogate")
    value = node.value if isinstance(node, StringValueNode) else raw if node is None else None
    if type_.name == "ID" and isinstance(value, str) and not is_global_id(value):
        return Refusal(path, f'is not a valid id: "{clip(value, 60)}"', in_union=False)
    return None


def _first(refusals: Any) -> Refusal | None:
    return next((r for r in refusals if r is not None), None)


@dataclass
class _Walk:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]

    def fields(
        self,
        parent: GraphQLObjectType | Any,
        selection_set: SelectionSetNode | None,
        seen: set[str],
    ) -> Iterator[tuple[FieldNode, GraphQLObjectType | Any]]:
        """Every field node under `selection_set` with its parent type, through fragments."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                yield from self.fields(inner, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in self.fragments:
                    continue
                fragment = self.fragments[name]
                inner = self.schema.get_type(fragment.type_condition.name.value)
                yield from self.fields(inner, fragment.selection_set, {*seen, name})

    def refusal_in(self, node: FieldNode, parent: Any) -> Refusal | None:
        """The first refusal in the arguments of `node` and of every field below it."""
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:
            return None
        for argument in node.arguments or ():
            arg = definition.args.get(argument.name.value)
            if arg is not None:
                refusal = _check(arg.type, argument.value, None, (argument.name.value,), self)
                if refusal is not None:
                    return refusal
        child = get_named_type(definition.type)
        return _first(
            self.refusal_in(inner, inner_parent)
            for inner, inner_parent in self.fields(child, node.selection_set, set())
        )


def value_refusal(schema: GraphQLSchema, type_: GraphQLInputType, value: Any) -> Refusal | None:
    """The first refusal inside one variable's value, read against its declared type. The
    compiled path checks a document's literals once and then only each request's values."""
    return _check(type_, None, value, (), _Walk(schema, {}, {}))


def find_refusals(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> dict[str, Refusal]:
    """The first refusal under each root field, by the field's response key (its alias)."""
    root = schema.get_root_type(operation.operation)
    walk = _Walk(schema, fragments, variables)
    found: dict[str, Refusal] = {}
    for node, parent in walk.fields(root, operation.selection_set, set()):
        key = node.alias.value if node.alias else node.name.value
        if key not in found and (refusal := walk.refusal_in(node, parent)) is not None:
            found[key] = refusal
    return found


class RefuseUnstorableInput(SchemaExtension):
    """Checks the operation's arguments before it runs (see the module docstring)."""

    async def on_execute(self) -> Any:  # type: ignore[override]
        execution = self.execution_context
        document = execution.graphql_document
        operation = _operation(document, execution.operation_name) if document else None
        if operation is not None:
            fragments = {
                d.name.value: d
                for d in document.definitions  # type: ignore[union-attr]
                if isinstance(d, FragmentDefinitionNode)
            }
            refusals = find_refusals(
                execution.schema._schema, operation, fragments, execution.variables or {}
            )
            mutation = execution.operation_type == OperationType.MUTATION
            for refusal in refusals.values():
                if not (mutation and refusal.in_union):
                    raise refusal.bad_user_input()
            execution.context.refusals = refusals
        yield


def _operation(document: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


def refusal_for(info: Any) -> ValidationError | None:
    """The ValidationError a mutation field answers with when its input was refused."""
    refusals: dict[str, Refusal] = getattr(info.context, "refusals", None) or {}
    refusal = refusals.get(info.path.key)
    return refusal.validation_error() if refusal is not None else None
