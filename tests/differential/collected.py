"""Every query operation written in README.md and in the test suite, with variable values.

Operations are found the way a reader finds them: README ```graphql blocks and string
constants in tests/**/*.py that parse as GraphQL documents with a query operation. Variables
get values from the dataset's pools, chosen by the variable's type and, for ids, its name.
"""

from __future__ import annotations

import ast
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphql

from tests.differential.values import Dataset

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = 2  # variable assignments per operation that has variables

# The row type an ID variable most likely names, by the variable's name.
ID_HINTS = {
    "from": "KnowledgeNode",
    "to": "KnowledgeNode",
    "source": "KnowledgeNode",
    "roots": "KnowledgeNode",
    "owner": "User",
    "private": "Document",
}
SCALARS: dict[str, list[Any]] = {
    "Int": [2, 1, 5, 101],
    "Float": [0.5, 1.0],
    "Boolean": [True, False],
    "Date": ["2026-01-05", "2026-01-06"],
}


@dataclass(frozen=True)
class Operation:
    """One query operation of one document, named by where it was found."""

    source: str
    document: str
    name: str | None
    variables: tuple[graphql.VariableDefinitionNode, ...]

    @property
    def label(self) -> str:
        return f"{self.source}:{self.name or 'anonymous'}"


def collect() -> list[Operation]:
    """The README's operations, then the tests', each query operation once."""
    found: dict[tuple[str, str | None], Operation] = {}
    readme = (ROOT / "README.md").read_text()
    sources = [
        (f"README#{i}", block)
        for i, block in enumerate(re.findall(r"```graphql\n(.*?)```", readme, flags=re.DOTALL))
    ]
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if "differential" in path.parts:
            continue
        relative = path.relative_to(ROOT).as_posix()
        sources.extend((relative, text) for text in _string_constants(path))
    for source, text in sources:
        for operation in _query_operations(source, text):
            found.setdefault((operation.document, operation.name), operation)
    return list(found.values())


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value
    ]


def _query_operations(source: str, text: str) -> list[Operation]:
    try:
        document = graphql.parse(text)
    except graphql.GraphQLError:
        return []
    return [
        Operation(
            source=source,
            document=text,
            name=definition.name.value if definition.name else None,
            variables=tuple(definition.variable_definitions or ()),
        )
        for definition in document.definitions
        if isinstance(definition, graphql.OperationDefinitionNode)
        and definition.operation == graphql.OperationType.QUERY
    ]


def assignments(operation: Operation, dataset: Dataset, schema: graphql.GraphQLSchema) -> list:
    """Variable values to run the operation with: the first leaves optional ones out."""
    if not operation.variables:
        return [{}]
    seed = zlib.crc32(operation.document.encode())
    result = []
    for round_ in range(ASSIGNMENTS):
        values: dict[str, Any] = {}
        for index, definition in enumerate(operation.variables):
            name = definition.variable.name.value
            optional = not isinstance(definition.type, graphql.NonNullTypeNode)
            if round_ == 0 and optional:
                continue
            type_ = graphql.type_from_ast(schema, definition.type)
            pick = seed + round_ * 7 + index * 3
            values[name] = _value(type_, name, dataset, pick)
        result.append(values)
    return result


def _value(type_: Any, name: str, dataset: Dataset, pick: int) -> Any:
    type_ = graphql.get_nullable_type(type_)
    if isinstance(type_, graphql.GraphQLList):
        return [_value(type_.of_type, name, dataset, pick)]
    if isinstance(type_, graphql.GraphQLEnumType):
        return _choose(list(type_.values), pick)
    if isinstance(type_, graphql.GraphQLInputObjectType):
        return {
            field_name: _value(field.type, field_name, dataset, pick)
            for field_name, field in type_.fields.items()
            if graphql.is_required_input_field(field)
        }
    if type_.name == "ID":
        return _choose(dataset.ids_by_type.get(ID_HINTS.get(name, ""), dataset.ids), pick)
    if type_.name == "String":
        return _choose(dataset.words, pick)
    if type_.name in SCALARS:
        return _choose(SCALARS[type_.name], pick)
    raise LookupError(f"no values for variables of type {type_.name}")


def _choose(pool: list[Any], pick: int) -> Any:
    return pool[pick % len(pool)]
