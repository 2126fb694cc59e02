"""`KnowledgeNode.neighbors` in SQL: the reference's walk (`traversal.neighbors_sql`) from
each parent row alone, paged as a compiled connection.

The walk's text is embedded as in `graph/compiler/traversal.py`; its `:starts` becomes
`ARRAY[khub_start_N.id]`, a one-row subquery correlated to the parent row that the walk is
joined to LATERAL. Its rows carry the page (`position`) and the start's `total`; a start
with an empty page still has one unnumbered row, which carries the total.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLField, get_named_type
from sqlalchemy import Integer, String, func, lateral, select, true
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.sql.elements import ColumnElement

from graph.compiler import sqljson
from graph.compiler.arguments import ArgSite, Env, Fallback, Uncompilable
from graph.compiler.compile import SENTINEL_SQL, Compiler, json_object
from graph.compiler.connections import ROW_NUMBER, Page, connection
from graph.compiler.traversal import embedded, or_default, selected
from graph.knowledge.traversal import DEFAULTS
from persistence.errors import DomainError
from persistence.knowledge import traversal
from persistence.knowledge.repository import EDGE_BY_ID, NODE_BY_ID
from persistence.relation import PARENT


def neighbors(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], parent_rows: Any
) -> ColumnElement[Any]:
    """`KnowledgeNode.neighbors`: the reference's walk from the parent row alone, joined
    LATERAL to a one-row subquery that names the parent's id (the walk's text refers to it)."""
    site = ArgSite(compiler.schema, field, nodes[0])
    args = compiler.env.args(site)
    checked = object()

    def query(env: Env) -> traversal.NeighborQuery:
        def check() -> traversal.NeighborQuery:
            given = env.args(site)
            made = traversal.NeighborQuery(
                depth=or_default(given.get("depth"), DEFAULTS.depth),
                direction=or_default(given.get("direction"), DEFAULTS.direction),
                edge_types=_tuple(given.get("edge_types")),
                node_types=_tuple(given.get("node_types")),
                first=or_default(given.get("first"), DEFAULTS.first),
                after=given.get("after"),
            )
            try:
                made.validate()
            except DomainError as error:
                raise Fallback(error.message) from error
            return made

        return env.memo(checked, check)  # type: ignore[no-any-return]

    shape = traversal.NeighborQuery(
        direction=or_default(args.get("direction"), DEFAULTS.direction),
        edge_types=_tuple(args.get("edge_types")),
        node_types=_tuple(args.get("node_types")),
        after=args.get("after"),
    )
    binds: dict[str, tuple[Any, Any]] = {
        "depth": (lambda env: query(env).depth, Integer()),
        "limit": (lambda env: query(env).first + 1, Integer()),
    }
    if shape.edge_types is not None:
        binds["edge_types"] = (lambda env: list(query(env).edge_types or ()), ARRAY(String))
    if shape.node_types is not None:
        binds["node_types"] = (lambda env: list(query(env).node_types or ()), ARRAY(String))
    if shape.after is not None:
        binds["after_distance"] = (lambda env: query(env).after_key()[0], Integer())  # type: ignore[index]
        binds["after_label"] = (lambda env: query(env).after_key()[1], String())  # type: ignore[index]
        binds["after_id"] = (
            lambda env: query(env).after_key()[2],  # type: ignore[index]
            UUID(as_uuid=True),
        )
    name = f"khub_start_{len(compiler.params.getters)}"
    start = select(parent_rows.c.id.label("id")).correlate(parent_rows).subquery(name)
    sql = traversal.neighbors_sql(shape).replace(":starts", f"ARRAY[{name}.id]")
    walk = embedded(compiler, sql, binds).columns(
        start_id=UUID(as_uuid=True),
        total=Integer,
        distance=Integer,
        node_id=UUID(as_uuid=True),
        edge_id=UUID(as_uuid=True),
        position=Integer,
    )
    found = lateral(walk.subquery(), name=f"{name}_walk")
    rows = (
        select(
            found.c.node_id.label("id"),
            found.c.edge_id,
            found.c.distance,
            found.c.total,
            found.c.position.label(ROW_NUMBER),
        )
        .select_from(start.join(found, true()))
        .subquery()
    )
    size = compiler.params.bind(lambda env: query(env).first, Integer())
    node_rows = NODE_BY_ID.rows(None, compiler.scope)
    label = select(node_rows.c.label).where(node_rows.c[PARENT] == rows.c.id).scalar_subquery()
    key = (
        sqljson.json_text(rows.c.distance).concat(sqljson.lit(",")).concat(sqljson.json_text(label))
    )
    return connection(
        compiler,
        field,
        nodes,
        Page(
            rows=rows,
            key=None,
            size=size,
            backwards=False,
            after=shape.after is not None,
            before=False,
            total=func.coalesce(func.max(rows.c.total), 0),
            node=lambda rows_, field_nodes: _neighbor(compiler, field, field_nodes, rows_),
            cursor=sqljson.cursor(key, rows.c.id),
        ),
    )


def _tuple(values: Any) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _neighbor(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], rows: Any
) -> ColumnElement[Any]:
    edge_type = get_named_type(get_named_type(field.type).fields["edges"].type)
    neighbor_type = get_named_type(edge_type.fields["node"].type)
    pairs = []
    for key, field_nodes in selected(compiler, neighbor_type, nodes):
        name = field_nodes[0].name.value
        if name == "__typename":
            value = sqljson.constant(neighbor_type.name)
        elif name == "distance":
            value = rows.c.distance
        elif name in ("node", "via"):
            relation, id_column = (
                (NODE_BY_ID, rows.c.id)
                if name == "node"
                else (
                    EDGE_BY_ID,
                    rows.c.edge_id,
                )
            )
            item_type = get_named_type(neighbor_type.fields[name].type)
            found = relation.rows(None, compiler.scope)
            item = select(compiler.object(item_type, found, field_nodes)).where(
                found.c[PARENT] == id_column
            )
            compiler.uses_sentinel = True
            value = func.coalesce(item.scalar_subquery(), SENTINEL_SQL)
        else:
            raise Uncompilable(f"{neighbor_type.name}.{name}")
        pairs.append((key, value))
    return json_object(pairs)
