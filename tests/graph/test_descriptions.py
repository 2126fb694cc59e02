"""Documentation lives in the schema, where GraphiQL shows it: nothing goes undescribed."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
)

from graph.schema import build_schema

BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def _undescribed() -> list[str]:
    schema = build_schema()._schema
    missing = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if name not in ("Query", "Mutation") and not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not arg.description and arg_name != "input":
                        missing.append(f"{name}.{field_name}({arg_name})")
        elif isinstance(type_, GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, v in type_.fields.items() if not v.description]
        elif isinstance(type_, GraphQLEnumType | GraphQLUnionType):
            pass  # enum values and union members are named for what they are
    return missing


def test_every_type_field_and_argument_has_a_description() -> None:
    assert _undescribed() == []
