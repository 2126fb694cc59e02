"""`node(id)` and `nodes(ids)`: one statement whatever types the ids name.

The ids are decoded in Python (a malformed one falls back: the reference reports it) into
parallel arrays of type names and row ids, bound as two parameters and unnested in order;
a CASE over the type name picks, per id, the subquery of the type it names, built from the
type's `loader` relation as `node` resolves it. An unknown type or a payload that is not a
row id matches no row: null, as in the reference. A type whose selection does not compile
writes the sentinel, so only requests that name it fall back.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLField, GraphQLObjectType, is_abstract_type
from sqlalchemy import Text, case, func, null, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.sql.elements import ColumnElement

from graph.compiler import sqljson
from graph.compiler.arguments import ArgSite, Env, Fallback, Uncompilable
from graph.compiler.compile import SENTINEL_SQL, Compiler
from graph.core.loaders import parse_uuid
from persistence.relation import PARENT, RowSource


def node_field(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], declaration: Any
) -> ColumnElement[Any]:
    argument, many = declaration
    site = ArgSite(compiler.schema, field, nodes[0])
    marker = object()
    named = _interface(field)
    # `node`/`nodes` name the Node interface; a typed lookup such as `job(id)` its one type
    abstract = is_abstract_type(named)
    possible = compiler.graphql.get_possible_types(named) if abstract else [named]
    node_types = {t.name: t for t in possible}

    def decoded(env: Env) -> list[tuple[str, Any]]:
        def decode() -> list[tuple[str, Any]]:
            given = env.args(site)[argument]
            ids = given if many else [given]
            pairs = [(g.type_name, parse_uuid(g.node_id)) for g in ids]
            for type_name, _ in pairs:
                # a name the schema has but that is no Node: the reference's rule, not ours
                if (
                    abstract
                    and type_name not in node_types
                    and compiler.graphql.get_type(type_name)
                ):
                    raise Fallback(f"{type_name} is not a Node type")
            return pairs

        return env.memo(marker, decode)  # type: ignore[no-any-return]

    type_names = compiler.params.bind(lambda env: [t for t, _ in decoded(env)], ARRAY(Text))
    row_ids = compiler.params.bind(
        lambda env: [i for _, i in decoded(env)], ARRAY(UUID(as_uuid=True))
    )
    given = (
        func.unnest(type_names, row_ids)
        .table_valued("type_name", "row_id", with_ordinality="n")
        .render_derived()
        .alias("given")
    )
    branches = [
        (given.c.type_name == sqljson.lit(name), _branch(compiler, node_type, nodes, given))
        for name, node_type in sorted(node_types.items())
    ]
    value = case(*branches, else_=null()) if branches else null()
    if many:
        return select(sqljson.json_list(value, given.c.n)).select_from(given).scalar_subquery()
    return select(value).select_from(given).scalar_subquery()


def _interface(field: GraphQLField) -> Any:
    named = field.type
    while hasattr(named, "of_type"):
        named = named.of_type
    return named


def _branch(
    compiler: Compiler, node_type: GraphQLObjectType, nodes: list[FieldNode], given: Any
) -> ColumnElement[Any]:
    """The object an id of `node_type` names, or the sentinel when it does not compile."""
    loader = getattr(node_type.extensions["strawberry-definition"].origin, "loader", None)
    relation = getattr(loader, "relation", None)
    try:
        if not isinstance(relation, RowSource) or relation.many:
            raise Uncompilable(f"{node_type.name} has no by-id relation")
        rows = relation.rows(None, compiler.scope)
        item = compiler.object(node_type, rows, nodes)
    except Uncompilable:
        compiler.uses_sentinel = True
        return SENTINEL_SQL
    stmt = select(item).where(rows.c[PARENT] == given.c.row_id)
    return stmt.correlate(given).scalar_subquery()


def row_by_id(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], declaration: Any
) -> ColumnElement[Any]:
    """`conversation(id)`: the row the type's by-id relation finds, or null (an id of
    another type binds null, which matches no row)."""
    site = ArgSite(compiler.schema, field, nodes[0])

    def row_id(env: Env) -> Any:
        return declaration.row_id(env.args(site)["id"])

    relation = declaration.loader.relation
    rows = relation.rows(None, compiler.scope)
    item = compiler.object(_interface(field), rows, nodes)
    id = compiler.params.bind(row_id, UUID(as_uuid=True))
    return select(item).where(rows.c[PARENT] == id).scalar_subquery()
