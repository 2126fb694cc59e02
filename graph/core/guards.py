"""Checks that refuse an operation before it costs anything: which operation runs, and
whether an anonymous caller could get anything from it at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_nullable_type,
    is_input_object_type,
    is_list_type,
    type_from_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from graph.core.errors import BadUserInput, Unauthenticated
from graph.core.permissions import needs_caller

OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
MAX_LIST_ITEMS = 1_000  # no argument takes more (an embedding has 384 numbers, a page 100)


def operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


class RequireOperationName(SchemaExtension):
    """A document with several operations needs `operationName` (GraphQL's GetOperation).

    Strawberry would otherwise run the first one, which is not what the client asked for.
    The view records the name the client sent in `Context.operation_name`.
    """

    def on_parse(self) -> Iterator[None]:  # type: ignore[override]
        yield
        document = self.execution_context.graphql_document
        named = self.execution_context.context.operation_name is not None
        if document is not None and not named and len(operations(document)) > 1:
            raise GraphQLError(
                "Must provide operationName if the document contains several operations.",
                extensions={"code": OPERATION_RESOLUTION_FAILURE},
            )


def refuse_pointless_anonymous(execution_context: ExecutionContext) -> None:
    """An anonymous operation whose every root field needs a caller is refused outright,
    before its variables are coerced (a megabyte of floats costs seconds) or it runs."""
    context = execution_context.context
    document = execution_context.graphql_document
    if context.viewer.is_authenticated or document is None:
        return
    operation = _selected(document, execution_context.operation_name)
    if operation is None:
        return
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names = set(_root_fields(operation.selection_set, fragments, set())) - {"__typename"}
    root = _root_type_name(execution_context, operation)
    if root is None or not names:
        return
    schema = execution_context.schema
    for name in names:
        field = schema.get_field_for_type(name, root)
        if field is None or not needs_caller(field.permission_classes):
            return
    raise Unauthenticated(context.viewer.why_anonymous)


def refuse_long_lists(execution_context: ExecutionContext) -> None:
    """A list in the variables longer than any argument takes is refused before coercion
    walks it item by item (200,000 floats hold the event loop for a second or two)."""
    document, variables = execution_context.graphql_document, execution_context.variables
    operation = _selected(document, execution_context.operation_name) if document else None
    if operation is None or not variables:
        return
    schema = execution_context.schema._schema
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)
        if name in variables and type_ is not None and _has_long_list(variables[name], type_):
            raise BadUserInput(f"${name} holds a list of more than {MAX_LIST_ITEMS} items.", name)


def _has_long_list(value: Any, type_: GraphQLInputType) -> bool:
    """Follows the type, never walking a list of scalars item by item."""
    stack = [(value, type_)]
    while stack:
        value, type_ = stack.pop()
        type_ = get_nullable_type(type_)  # type: ignore[arg-type]
        if is_list_type(type_) and isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                return True
            item_type = get_nullable_type(type_.of_type)
            if is_list_type(item_type) or is_input_object_type(item_type):
                stack.extend((item, item_type) for item in value)
        elif is_input_object_type(type_) and isinstance(value, dict):
            fields = type_.fields
            stack.extend((v, fields[k].type) for k, v in value.items() if k in fields)
    return False


def _selected(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    candidates = operations(document)
    if name is None:
        return candidates[0] if len(candidates) == 1 else None
    return next((o for o in candidates if o.name and o.name.value == name), None)


def _root_type_name(
    execution_context: ExecutionContext, operation: OperationDefinitionNode
) -> str | None:
    graphql_schema = execution_context.schema._schema
    root = graphql_schema.get_root_type(operation.operation)
    return root.name if root else None


def _root_fields(
    selection_set: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> Iterator[str]:
    """The names of the root fields, through inline fragments and fragment spreads."""
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                seen.add(name)
                yield from _root_fields(fragments[name].selection_set, fragments, seen)
