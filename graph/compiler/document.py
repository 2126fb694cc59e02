"""Parse and validate once per distinct document, with the same rules as the reference.

The rules are the schema's own: graphql-core's specified rules plus those its extensions
add (depth, aliases, introspection in production), and its token limit. A document that
fails any of them is left to the reference executor, which reports the errors.
"""

from __future__ import annotations

import inspect
from collections import OrderedDict
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.utilities import type_from_ast

from graph.core.input_check import find_refusals

_MISSING = object()


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
        """Whether the reference refuses an argument before running (a malformed id, text
        PostgreSQL cannot hold); literals alone are checked once per document."""
        if not variables and self._literals_refused is not None:
            return self._literals_refused
        refused = bool(find_refusals(self.schema, self.operation, self.fragments, variables))
        if not variables:
            self._literals_refused = refused
        return refused

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


class Documents:
    """An LRU of parsed and validated documents, keyed by text and operation name."""

    def __init__(self, schema: Any, *, max_tokens: int, maxsize: int = 512) -> None:
        self.schema = schema
        self.max_tokens = max_tokens
        self.maxsize = maxsize
        self.rules = [*specified_rules, *_extension_rules(schema)]
        self._entries: OrderedDict[tuple[str, str | None], Operation | str] = OrderedDict()

    def get(self, query: str, operation_name: str | None) -> Operation | str:
        """The query operation, or why the reference executor must answer."""
        key = (query, operation_name)
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            return found
        found = self._load(query, operation_name)
        self._entries[key] = found
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return found

    def _load(self, query: str, operation_name: str | None) -> Operation | str:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return "the document does not parse"
        if validate(self.schema._schema, document, self.rules):
            return "the document is not valid"
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


def _extension_rules(schema: Any) -> list[Any]:
    """The validation rules the schema's extensions add (they are built per operation)."""
    rules: list[Any] = []
    for extension in schema.extensions:
        if inspect.isclass(extension):
            continue
        made = extension()
        rules.extend(getattr(made, "validation_rules", ()))
    return rules
