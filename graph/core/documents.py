"""Parse and validate once per distinct document, for both execution paths.

graphql-core's validation is a tenth of a small query's CPU; the documents a client sends
are few and repeated. One LRU per schema keeps, by the document's text, its syntax tree
and its validation errors under the schema's full rule set (graphql-core's rules, ours and
the limits of graph/core/limits.py, Strawberry's own), parsed with the schema's token
limit. The compiled path reads it directly; `CheckedOnce` hands it to Strawberry's
executor, which then neither parses nor validates a document it has seen.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from graph import tracing

MAXSIZE = 1024


class Checked:
    """A document's text, parsed (None when it does not parse) and validated."""

    __slots__ = ("costs", "document", "errors", "operations")

    def __init__(self, document: DocumentNode | None, errors: list[GraphQLError]) -> None:
        self.document = document
        self.errors = errors
        self.operations: dict[str | None, Any] = {}
        """What the compiled path derives per operation name (graph/compiler/document.py)."""
        self.costs: dict[str | None, Any] = {}
        """The cost structure per operation name (graph/core/cost.py)."""


def validation_rules(extra: Sequence[Any]) -> tuple[Any, ...]:
    """Every rule a document must meet, as Strawberry's executor would apply them."""
    return (*specified_rules, *extra, MaybeNullValidationRule, OneOfInputValidationRule)


class Documents:
    """An LRU of checked documents, keyed by their text; the limits are the schema's."""

    def __init__(self, rules: Sequence[Any], *, max_tokens: int, maxsize: int = MAXSIZE) -> None:
        self.rules = tuple(rules)
        self.max_tokens = max_tokens
        self.maxsize = maxsize
        self._entries: OrderedDict[str, Checked] = OrderedDict()

    def get(self, schema: GraphQLSchema, query: str) -> Checked:
        found = self._entries.get(query)
        if found is not None:
            self._entries.move_to_end(query)
            return found
        found = self._check(schema, query)
        self._entries[query] = found
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return found

    def _check(self, schema: GraphQLSchema, query: str) -> Checked:
        try:
            with tracing.span("graphql.parse"):
                document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return Checked(None, [])
        with tracing.span("graphql.validate"):
            return Checked(document, validate(schema, document, self.rules))


class CheckedOnce(SchemaExtension):
    """Gives Strawberry's executor the checked document: no parsing, no validation when
    the text was seen before. A document that does not parse is parsed again by Strawberry
    (with the same token limit), which reports the syntax error."""

    _errors: list[GraphQLError] | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            checked = context.schema.documents.get(context.schema._schema, context.query)
            if checked.document is not None:
                context.graphql_document = checked.document
                self._errors = checked.errors
            else:
                context.parse_options["max_tokens"] = context.schema.documents.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        if self._errors is not None:
            self.execution_context.pre_execution_errors = list(self._errors)
        yield
