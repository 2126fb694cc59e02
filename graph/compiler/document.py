"""A checked document's query operation, as the compiler reads it.

Parsing and validation are the schema's, shared with the reference executor
(graph/core/documents.py); a document that fails them is left to the reference, which
reports the errors.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    OperationDefinitionNode,
    OperationType,
)
from graphql.utilities import type_from_ast

from graph.core.documents import Checked
from graph.core.input_check import find_refusals, value_refusal

_MISSING = object()
MAX_OPERATIONS = 16  # operation names remembered per document


class Operation:
    """A validated query operation of a document, and the plans made for it."""

    def __init__(self, schema: Any, document: DocumentNode, operation: OperationDefinitionNode):
        self.document = document
        self.operation = operation
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variable_types = [
            (d.variable.name.value, type_from_ast(schema, d.type))
            for d in operation.variable_definitions or ()
        ]
        self.plans: OrderedDict[Any, Any] = OrderedDict()
        self.schema = schema
        self._literals_refused: bool | None = None

    def refuses(self, variables: dict[str, Any]) -> bool:
        """Whether the reference may refuse an argument before running (a malformed id, text
        PostgreSQL cannot hold): the literals are checked once per document, then each given
        variable against its declared type (validation made it the argument's type; a value
        under a skipped field is refused too, and the reference then answers)."""
        if self._literals_refused is None:
            found = find_refusals(self.schema, self.operation, self.fragments, {})
            self._literals_refused = bool(found)
        return self._literals_refused or any(
            value_refusal(self.schema, type_, variables[name]) is not None
            for name, type_ in self.variable_types
            if name in variables and type_ is not None
        )

    def shape(self, variables: dict[str, Any]) -> tuple[Any, ...]:
        """What of the variables can change the SQL: presence, null, booleans and enums."""
        return tuple(
            _shape(variables.get(name, _MISSING), type_) for name, type_ in self.variable_types
        )


def _shape(value: Any, type_: Any) -> Any:
    if value is _MISSING:
        return "-"
    if value is None:
        return "n"
    if isinstance(type_, GraphQLNonNull):
        return _shape(value, type_.of_type)
    if isinstance(type_, GraphQLList):
        if _bound_items(type_):
            return "l"  # ids, strings, numbers: one bound array, whatever its length
        if isinstance(value, list):
            return tuple(_shape(v, type_.of_type) for v in value)
        return _shape(value, type_.of_type)
    if isinstance(type_, GraphQLInputObjectType):
        if not isinstance(value, dict):
            return "?"
        return tuple(
            (name, _shape(value.get(name, _MISSING), field.type))
            for name, field in type_.fields.items()
        )
    if isinstance(type_, GraphQLEnumType) or isinstance(value, bool):
        return ("=", value) if isinstance(value, str | bool) else "?"
    if value == "":
        return "e"
    return "v"


def _bound_items(type_: GraphQLList[Any]) -> bool:
    item = type_.of_type
    while isinstance(item, GraphQLNonNull | GraphQLList):
        if isinstance(item, GraphQLList):
            return False
        item = item.of_type
    return isinstance(item, GraphQLScalarType) and item.name != "Boolean"


class Documents:
    """The query operations of the schema's checked documents (graph/core/documents.py),
    by text and operation name: parsed and validated once, for both paths."""

    def __init__(self, schema: Any) -> None:
        self.schema = schema

    def get(self, query: str, operation_name: str | None) -> Operation | str:
        """The query operation, or why the reference executor must answer."""
        checked = self.schema.documents.get(self.schema._schema, query)
        found = checked.operations.get(operation_name)
        if found is None:
            found = self._load(checked, operation_name)
            if len(checked.operations) < MAX_OPERATIONS:  # names a client made up stay out
                checked.operations[operation_name] = found
        return found

    def _load(self, checked: Checked, operation_name: str | None) -> Operation | str:
        if checked.document is None:
            return "the document does not parse"
        if checked.errors:
            return "the document is not valid"
        document = checked.document
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            chosen = operations if len(operations) == 1 else []
        else:
            chosen = [o for o in operations if o.name and o.name.value == operation_name]
        if len(chosen) != 1:
            return "no single operation to run"
        if chosen[0].operation != OperationType.QUERY:
            return f"a {chosen[0].operation.value}"
        return Operation(self.schema._schema, document, chosen[0])
