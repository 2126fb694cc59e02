"""Dresses a generated operation in the GraphQL a client writes: aliases, `__typename`,
variables, named fragments, `@include`/`@skip` and an operation name.

hypothesis-graphql writes none of these, yet each is where a compiler can go wrong (response
keys, error paths, variable coercion, fragment expansion, skipped fields). A drawn seed
decides what is dressed, so the seed alone fixes the result.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import graphql
from graphql import NameNode


@dataclass
class Dressed:
    """The operation's text, its variables and its name."""

    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    operation_name: str | None = None


def decorate(schema: graphql.GraphQLSchema, query: str, seed: int) -> Dressed:
    rng = random.Random(seed)
    dresser = _Dresser(schema, rng)
    document = graphql.visit(
        graphql.parse(query), graphql.TypeInfoVisitor(dresser.type_info, dresser)
    )
    definitions = (*document.definitions, *dresser.fragments)
    text = graphql.print_ast(graphql.DocumentNode(definitions=definitions))
    return Dressed(text, dresser.values, dresser.operation_name)


def _name(value: str) -> NameNode:
    return NameNode(value=value)


class _Dresser(graphql.Visitor):
    def __init__(self, schema: graphql.GraphQLSchema, rng: random.Random) -> None:
        super().__init__()
        self.type_info = graphql.TypeInfo(schema)
        self.rng = rng
        self.values: dict[str, Any] = {}
        self.definitions: list[graphql.VariableDefinitionNode] = []
        self.fragments: list[graphql.FragmentDefinitionNode] = []
        self.operation_name: str | None = None
        self.count = 0

    def _next(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def _variable(self, name: str, type_: graphql.GraphQLInputType, value: Any) -> Any:
        if name not in self.values:
            self.values[name] = value
            self.definitions.append(
                graphql.VariableDefinitionNode(
                    variable=graphql.VariableNode(name=_name(name)),
                    type=graphql.parse_type(str(type_)),
                )
            )
        return graphql.VariableNode(name=_name(name))

    def leave_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
        type_ = self.type_info.get_input_type()
        if type_ is None or self.rng.random() >= 0.25:
            return None
        value = graphql.value_from_ast_untyped(node.value)
        variable = self._variable(self._next("v"), type_, value)
        return graphql.ArgumentNode(name=node.name, value=variable)

    def leave_field(self, node: graphql.FieldNode, *_: Any) -> Any:
        rng = self.rng
        alias = _name(self._next("a")) if rng.random() < 0.15 else node.alias
        selection_set = node.selection_set
        if selection_set is not None and rng.random() < 0.1:
            typename = graphql.FieldNode(name=_name("__typename"))
            selection_set = graphql.SelectionSetNode(
                selections=(typename, *selection_set.selections)
            )
        if selection_set is not None and rng.random() < 0.1:
            selection_set = self._fragment(selection_set)
        directives = node.directives
        if rng.random() < 0.1:
            directives = (*(directives or ()), self._condition())
        return graphql.FieldNode(
            alias=alias,
            name=node.name,
            arguments=node.arguments,
            directives=directives,
            selection_set=selection_set,
        )

    def _fragment(self, selection_set: graphql.SelectionSetNode) -> graphql.SelectionSetNode:
        """The selections as a named fragment on the field's type, spread in their place."""
        on = graphql.get_named_type(self.type_info.get_type())
        name = self._next("F")
        self.fragments.append(
            graphql.FragmentDefinitionNode(
                name=_name(name),
                type_condition=graphql.NamedTypeNode(name=_name(on.name)),
                selection_set=selection_set,
            )
        )
        return graphql.SelectionSetNode(selections=(graphql.FragmentSpreadNode(name=_name(name)),))

    def _condition(self) -> graphql.DirectiveNode:
        """`@include` or `@skip`, on a variable or a literal, keeping or dropping the field."""
        directive, keep = self.rng.choice(
            [("include", True), ("skip", False), ("include", False), ("skip", True)]
        )
        argument = keep if directive == "include" else not keep
        if self.rng.random() < 0.5:
            value: Any = graphql.BooleanValueNode(value=argument)
        else:
            flag = graphql.GraphQLNonNull(graphql.GraphQLBoolean)
            value = self._variable("yes" if argument else "no", flag, argument)
        return graphql.DirectiveNode(
            name=_name(directive),
            arguments=(graphql.ArgumentNode(name=_name("if"), value=value),),
        )

    def leave_operation_definition(self, node: graphql.OperationDefinitionNode, *_: Any) -> Any:
        if self.rng.random() < 0.3:
            self.operation_name = "Generated"
        if not self.definitions and self.operation_name is None:
            return None
        return graphql.OperationDefinitionNode(
            operation=node.operation,
            name=_name(self.operation_name) if self.operation_name else None,
            variable_definitions=(*(node.variable_definitions or ()), *self.definitions),
            directives=node.directives,
            selection_set=node.selection_set,
        )
