"""`shortestPath` and `knowledgeSubgraph` in SQL: the walks `persistence.knowledge.traversal`
runs, embedded as subqueries, their placeholders renamed to the plan's parameters.

What shapes the walk's text (the direction, whether edge types are given) is known when the
plan is made (enums and null-ness are part of its key); ids, depths and limits are bound.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import FieldNode, GraphQLField, get_named_type
from sqlalchemy import Float, Integer, String, any_, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.sql.elements import ColumnElement

from graph.compiler import sqljson
from graph.compiler.arguments import ArgSite, Env, Fallback, Uncompilable
from graph.compiler.compile import ORGANIZATION, SENTINEL_SQL, Compiler, json_object
from graph.core.ids import query_row_id
from persistence.knowledge import traversal
from persistence.knowledge.repository import EDGE_BY_ID, NODE_BY_ID
from persistence.relation import PARENT

UUIDS = ARRAY(UUID(as_uuid=True))


def or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _in_range(value: int, low: int, high: int, name: str) -> int:
    if not low <= value <= high:
        raise Fallback(f"{name} must be between {low} and {high}")
    return value


def _node_id(value: Any, field: str) -> Any:
    return query_row_id(value, "KnowledgeNode", field=field)  # BadUserInput: Fallback


def embedded(compiler: Compiler, sql: str, binds: dict[str, tuple[Any, Any]]) -> Any:
    """The walk's text with its `:name` placeholders as the plan's parameters."""
    params = {"org": ORGANIZATION}
    for name, (getter, type_) in binds.items():
        params[name] = compiler.params.bind(getter, type_)
    pattern = r"(?<![:\w]):(" + "|".join(params) + r")\b"
    renamed = re.sub(pattern, lambda m: ":" + params[m.group(1)].key, sql)
    return text(renamed).bindparams(*params.values())


def _listed(
    compiler: Compiler, item_type: Any, nodes: list[FieldNode], ids: Any, relation: Any, outer: Any
) -> ColumnElement[Any]:
    """The objects of `ids` (a uuid[] of the outer row) in order; a missing one is an error
    of the reference (non-null items), so the sentinel."""
    given = func.unnest(ids).table_valued("id", with_ordinality="n").render_derived().alias()
    rows = relation.rows(None, compiler.scope)
    found = select(compiler.object(item_type, rows, nodes)).where(rows.c[PARENT] == given.c.id)
    compiler.uses_sentinel = True
    item = func.coalesce(found.scalar_subquery(), SENTINEL_SQL)
    listed = select(sqljson.json_list(item, given.c.n)).select_from(given).correlate(outer)
    return listed.scalar_subquery()


def selected(compiler: Compiler, object_type: Any, nodes: list[FieldNode]) -> Any:
    selections = [n.selection_set for n in nodes if n.selection_set is not None]
    return compiler.collector.fields(object_type, selections).items()


def shortest_path(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode]
) -> ColumnElement[Any]:
    site = ArgSite(compiler.schema, field, nodes[0])
    args = compiler.env.args(site)
    direction = or_default(args.get("direction"), traversal.Direction.OUT)
    edge_types = args.get("edge_types")

    def arg(env: Env, name: str) -> Any:
        return env.args(site).get(name)

    binds = {
        "starts": (lambda env: [_node_id(arg(env, "from_id"), "fromId")], UUIDS),
        "target": (lambda env: _node_id(arg(env, "to_id"), "toId"), UUID(as_uuid=True)),
        "depth": (
            lambda env: _in_range(
                or_default(arg(env, "max_depth"), traversal.MAX_PATH_DEPTH),
                1,
                traversal.MAX_PATH_DEPTH,
                "max_depth",
            ),
            Integer(),
        ),
    }
    if edge_types is not None:
        binds["edge_types"] = (lambda env: list(arg(env, "edge_types")), ARRAY(String))
    walk = embedded(compiler, traversal.path_sql(direction, edge_types), binds)
    found = walk.columns(node_ids=UUIDS, edge_ids=UUIDS, total_weight=Float, found=Integer)
    path = found.subquery()
    path_type = get_named_type(field.type)
    pairs = []
    for key, field_nodes in selected(compiler, path_type, nodes):
        name = field_nodes[0].name.value
        if name == "__typename":
            value = sqljson.constant(path_type.name)
        elif name in ("nodes", "edges"):
            item_type = get_named_type(path_type.fields[name].type)
            relation = NODE_BY_ID if name == "nodes" else EDGE_BY_ID
            ids = path.c.node_ids if name == "nodes" else path.c.edge_ids
            value = _listed(compiler, item_type, field_nodes, ids, relation, path)
        elif name == "length":
            value = func.coalesce(func.cardinality(path.c.edge_ids), 0)
        elif name == "totalWeight":
            value = sqljson.float_json(path.c.total_weight)
        else:
            raise Uncompilable(f"{path_type.name}.{name}")
        pairs.append((key, value))
    value = sqljson.case_when(path.c.found > 0, json_object(pairs))
    return select(value).select_from(path).scalar_subquery()


def subgraph(compiler: Compiler, field: GraphQLField, nodes: list[FieldNode]) -> ColumnElement[Any]:
    site = ArgSite(compiler.schema, field, nodes[0])
    direction, edge_types = traversal.Direction.BOTH, compiler.env.args(site).get("edge_types")

    def arg(env: Env, name: str) -> Any:
        return env.args(site).get(name)

    def limit(env: Env) -> int:
        given = or_default(arg(env, "limit"), traversal.SUBGRAPH_LIMIT)
        return _in_range(given, 0, traversal.MAX_SUBGRAPH_NODES, "limit")

    binds = {
        "starts": (
            lambda env: [_node_id(i, "rootIds") for i in arg(env, "root_ids")],
            UUIDS,
        ),
        "depth": (
            lambda env: _in_range(
                or_default(arg(env, "depth"), traversal.SUBGRAPH_DEPTH),
                1,
                traversal.MAX_SUBGRAPH_DEPTH,
                "depth",
            ),
            Integer(),
        ),
        "limit": (lambda env: limit(env) + 1, Integer()),
    }
    edge_types_param = None
    if edge_types is not None:
        binds["edge_types"] = (lambda env: list(arg(env, "edge_types")), ARRAY(String))
    walk = embedded(compiler, traversal.subgraph_sql(direction, edge_types), binds)
    found = walk.columns(node_id=UUID(as_uuid=True), distance=Integer, label=String).subquery()
    order = (found.c.distance, found.c.label, found.c.node_id)
    numbered = select(found.c.node_id, func.row_number().over(order_by=order).label("n")).subquery()
    kept_size = compiler.params.bind(limit, Integer())
    kept = select(numbered.c.node_id).where(numbered.c.n <= kept_size)
    if edge_types is not None:
        edge_types_param = compiler.params.bind(
            lambda env: list(arg(env, "edge_types")), ARRAY(String)
        )
    graph_type = get_named_type(field.type)
    pairs = []
    for key, field_nodes in selected(compiler, graph_type, nodes):
        name = field_nodes[0].name.value
        if name == "__typename":
            value = sqljson.constant(graph_type.name)
        elif name == "nodes":
            rows = NODE_BY_ID.rows(None, compiler.scope)
            item_type = get_named_type(graph_type.fields["nodes"].type)
            node = select(compiler.object(item_type, rows, field_nodes)).where(
                rows.c[PARENT] == numbered.c.node_id
            )
            compiler.uses_sentinel = True
            item = func.coalesce(node.scalar_subquery(), SENTINEL_SQL)
            listed = select(sqljson.json_list(item, numbered.c.n)).where(numbered.c.n <= kept_size)
            value = listed.scalar_subquery()
        elif name == "truncated":
            value = select(func.count() > kept_size).select_from(numbered).scalar_subquery()
        elif name == "edges":
            rows = EDGE_BY_ID.rows(None, compiler.scope)
            item_type = get_named_type(graph_type.fields["edges"].type)
            among = [rows.c.source_id.in_(kept), rows.c.target_id.in_(kept)]
            if edge_types_param is not None:
                among.append(rows.c.edge_type == any_(edge_types_param))
            edge = compiler.object(item_type, rows, field_nodes)
            ordering = (rows.c.weight.desc(), rows.c.id.asc())
            value = select(sqljson.json_list(edge, *ordering)).where(*among).scalar_subquery()
        else:
            raise Uncompilable(f"{graph_type.name}.{name}")
        pairs.append((key, value))
    return json_object(pairs)
