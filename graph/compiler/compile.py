"""The walk: a validated query operation, read against the Strawberry declarations, becomes
one SQLAlchemy Core statement whose single value is the response's `data` as JSON text.

Only declarations are read: plain fields are the model's columns, `related` fields name
their loader's relation (`persistence.relation`), connections name their `RootList` or
`FirstPerLoader`. Anything else raises `Uncompilable`, and the operation runs on the
reference executor.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    OperationDefinitionNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
    located_error,
)
from sqlalchemy import Integer, Text, bindparam, cast, func, literal_column, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import ColumnProperty
from sqlalchemy.sql.elements import ColumnElement

from graph.compiler import sqljson
from graph.compiler.arguments import ArgSite, Env, Getter, Params, Uncompilable
from graph.compiler.selection import Collector
from graph.core.child_lists import CHILD_LIST
from graph.core.loaders import COUNTED, GLOBAL_ID_OF, RELATED
from graph.core.nodes import NODES
from graph.core.pagination import LIST, NESTED
from graph.core.permissions import IsAdmin, IsAuthenticated, IsSelfOrAdmin
from graph.core.row_by_id import ROW_BY_ID
from graph.document.search import SEARCH
from graph.knowledge.traversal import NEIGHBORS, PATH, SUBGRAPH
from persistence.relation import PARENT, Count, RowSource, Values
from persistence.scope import Scope

ORGANIZATION = bindparam("scope_organization", type_=UUID(as_uuid=True))
USER = bindparam("scope_user", type_=UUID(as_uuid=True))

SENTINEL = '"\\ue000khub:reference"'
"""Written where the reference would answer with an error (a null in a non-null field,
a field the caller may not read): the result is then discarded for the reference's."""
SENTINEL_SQL = literal_column("'" + SENTINEL + "'::json")

HITS_SEPARATOR = "\x1e"
"""Between the data and the searches' hits: a control character, which JSON text escapes."""
HITS_SEPARATOR_SQL = "chr(30)"

MAX_PAIRS = 50  # json_build_object takes at most 100 arguments

NULL_SQL = literal_column("NULL::json")


@dataclass(frozen=True)
class Refusal:
    """A root field the reference refuses every viewer of this plan's kind (a role rule,
    `includeDeleted` for a non-admin): its value is null and its error is known at plan
    time, located as graphql-core locates it."""

    error: GraphQLError
    non_null: bool


def json_object(pairs: list[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    if len(pairs) > MAX_PAIRS:
        raise Uncompilable(f"more than {MAX_PAIRS} fields in one selection")
    arguments: list[Any] = []
    for key, value in pairs:
        arguments += [sqljson.constant(key), value]
    return func.json_build_object(*arguments)


def strawberry_field(field: GraphQLField) -> Any:
    return field.extensions.get("strawberry-definition")


def column_of(model: Any, attribute: str) -> str:
    """The column key behind a model attribute, or Uncompilable for anything else."""
    prop = sa_inspect(model).attrs.get(attribute)
    if not isinstance(prop, ColumnProperty) or len(prop.columns) != 1:
        raise Uncompilable(f"{model.__name__}.{attribute} is not a column")
    return prop.columns[0].key  # type: ignore[no-any-return]


class Compiler:
    """Builds the statement of one operation for one kind of viewer (its roles)."""

    def __init__(self, schema: Any, collector: Collector, env: Env, *, is_admin: bool) -> None:
        self.schema = schema
        self.graphql = schema._schema
        self.collector = collector
        self.env = env
        self.is_admin = is_admin
        self.scope = Scope(organization_id=ORGANIZATION, user_id=USER, is_admin=is_admin)  # type: ignore[arg-type]
        self.params = Params()
        self.uses_sentinel = False
        self.searches: list[tuple[Getter, ColumnElement[Any]]] = []
        """Each search root field's call description and hits (`search.record_hits`)."""
        self.refusals: list[Refusal] = []
        self.checks: list[Getter] = []
        """Preconditions without a parameter: the reference checks these values before
        it refuses a field, so a request whose values fail them falls back."""

    def page_size(self, getter: Getter, site: ArgSite) -> ColumnElement[Any]:
        """A page size: written into the SQL when the document writes out the window's
        arguments (whatever else is a variable), bound otherwise. PostgreSQL's generic plan
        must know the LIMIT: for a bound one it assumes a tenth of the rows, prices the
        generic plan too high, and so plans every execution afresh (as much CPU as running
        the statement)."""
        if site.written("first", "last", "after", "before"):
            return literal_column(str(int(getter(self.env))), Integer())
        return self.params.bind(getter, Integer())

    # -- the operation ---------------------------------------------------------------------

    def operation(self, operation: OperationDefinitionNode) -> Any:
        root = self.graphql.query_type
        pairs = []
        for key, nodes in self.collector.fields(root, [operation.selection_set]).items():
            pairs.append((key, self.root_field(root, key, nodes)))
        data = cast(json_object(pairs), Text)
        if self.searches:
            # the searches' hits follow the data, after a separator JSON text never holds
            hits = cast(func.json_build_array(*(h for _, h in self.searches)), Text)
            data = data.concat(literal_column(HITS_SEPARATOR_SQL, Text)).concat(hits)
        return select(data)

    def root_field(self, root: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> Any:
        from graph.compiler.connections import root_connection

        name = nodes[0].name.value
        if name == "__typename":
            return sqljson.constant(root.name)
        field = root.fields.get(name)
        definition = strawberry_field(field) if field else None
        if definition is None:
            raise Uncompilable(f"Query.{name}")
        if (refused := self.refused(definition, root.name)) is not None:
            return self.refuse(field, nodes, refused)  # type: ignore[arg-type]
        if name == "viewer":
            return self.viewer(field, nodes)  # type: ignore[arg-type]
        if LIST in definition.metadata:
            return root_connection(self, field, nodes, definition.metadata[LIST])
        if PATH in definition.metadata or SUBGRAPH in definition.metadata:
            from graph.compiler.traversal import shortest_path, subgraph

            walk = shortest_path if PATH in definition.metadata else subgraph
            return walk(self, field, nodes)
        if SEARCH in definition.metadata:
            from graph.compiler.search import search_connection

            return search_connection(self, field, nodes)
        if NODES in definition.metadata:
            from graph.compiler.nodes import node_field

            return node_field(self, field, nodes, definition.metadata[NODES])
        if ROW_BY_ID in definition.metadata:
            from graph.compiler.nodes import row_by_id

            return row_by_id(self, field, nodes, definition.metadata[ROW_BY_ID])
        raise Uncompilable(f"Query.{name} has no declaration the compiler reads")

    def viewer(self, field: GraphQLField, nodes: list[FieldNode]) -> Any:
        from persistence.user.repository import UserRepository

        user_type = get_named_type(field.type)
        rows = UserRepository(None, self.scope).select().subquery()  # type: ignore[arg-type]
        value = self.object(user_type, rows, nodes, is_viewer=True)
        return select(value).where(rows.c.id == USER).scalar_subquery()

    def refused(self, definition: Any, type_name: str) -> GraphQLError | None:
        """The error of the first permission that refuses this plan's viewers the field
        (as Strawberry checks them, in order), or None when all allow it."""
        for permission in definition.permission_classes:
            if permission is IsAuthenticated or permission is IsSelfOrAdmin:
                continue  # callers are authenticated; IsSelfOrAdmin is compiled per row
            if permission is IsAdmin:
                if self.is_admin:
                    continue
                try:
                    permission().on_unauthorized()
                except GraphQLError as error:
                    return error
            raise Uncompilable(f"{type_name}.{definition.name}: {permission.__name__}")
        return None

    def refuse(
        self, field: GraphQLField, nodes: list[FieldNode], error: GraphQLError
    ) -> ColumnElement[Any]:
        """A refused root field: null in the data, its error kept for the response. Only at
        the root is the error's path static (below, a parent may be null or a list)."""
        key = nodes[0].alias.value if nodes[0].alias else nodes[0].name.value
        located = located_error(error, nodes, [key])
        self.refusals.append(Refusal(located, non_null=is_non_null_type(field.type)))
        return NULL_SQL

    # -- objects and their fields ----------------------------------------------------------

    def object(
        self,
        object_type: Any,
        rows: Any,
        nodes: list[FieldNode],
        *,
        is_viewer: bool = False,
    ) -> ColumnElement[Any]:
        """`json_build_object` of the fields `nodes` select on each row of `rows`."""
        if not isinstance(object_type, GraphQLObjectType):
            raise Uncompilable(f"{object_type} is abstract")
        selections = [n.selection_set for n in nodes if n.selection_set is not None]
        pairs = []
        for key, field_nodes in self.collector.fields(object_type, selections).items():
            value = self.field(object_type, rows, field_nodes, is_viewer=is_viewer)
            pairs.append((key, value))
        return json_object(pairs)

    def field(
        self, object_type: GraphQLObjectType, rows: Any, nodes: list[FieldNode], *, is_viewer: bool
    ) -> ColumnElement[Any]:
        name = nodes[0].name.value
        if name == "__typename":
            return sqljson.constant(object_type.name)
        field = object_type.fields[name]
        definition = strawberry_field(field)
        origin = object_type.extensions["strawberry-definition"].origin
        model = getattr(origin, "model", None)
        if definition is None or model is None:
            raise Uncompilable(f"{object_type.name}.{name}")
        if self.refused(definition, object_type.name) is not None:
            raise Uncompilable(f"{object_type.name}.{name} is refused below the root")
        metadata = definition.metadata
        if RELATED in metadata:
            related = metadata[RELATED]
            parent = rows.c[column_of(model, related.key)]
            relation = getattr(related.loader, "relation", None)
            return self.relation(field, relation, rows, parent, nodes, name=related.loader.__name__)
        if NEIGHBORS in metadata:
            from graph.compiler.neighbors import neighbors

            return neighbors(self, field, nodes, rows)
        if COUNTED in metadata:
            return self.counted(field, nodes, metadata[COUNTED], rows, model)
        if GLOBAL_ID_OF in metadata:
            declared = metadata[GLOBAL_ID_OF]
            id_column = rows.c[column_of(model, declared.id_attribute)]
            type_column = rows.c[column_of(model, declared.type_attribute)]
            text = type_column.concat(sqljson.lit(":")).concat(cast(id_column, Text))
            return sqljson.case_when(id_column.is_not(None), sqljson.base64(text))
        if NESTED in metadata:
            from graph.compiler.connections import nested_connection

            return nested_connection(self, field, nodes, metadata[NESTED], rows)
        if CHILD_LIST in metadata:
            from graph.compiler.connections import child_connection

            return child_connection(self, field, nodes, metadata[CHILD_LIST], rows)
        if name == "id" and any(i.name == "Node" for i in object_type.interfaces):
            return sqljson.global_id(object_type.name, rows.c.id)
        if definition.base_resolver is not None:
            raise Uncompilable(f"{object_type.name}.{name} has a Python resolver")
        value = self.column(field, rows.c[column_of(model, definition.python_name)])
        if IsSelfOrAdmin in definition.permission_classes and not (self.is_admin or is_viewer):
            self.uses_sentinel = True
            return func.coalesce(
                sqljson.case_when(rows.c.id == USER, func.to_json(value)), SENTINEL_SQL
            )
        return value

    def counted(
        self, field: GraphQLField, nodes: list[FieldNode], declared: Any, rows: Any, model: Any
    ) -> ColumnElement[Any]:
        """A `Counted` field: the sum of correlated counts its arguments choose (arguments
        that choose are enums and booleans, which are part of the plan's key)."""
        from graph.compiler.arguments import ArgSite

        counts = declared.counts(self.env.args(ArgSite(self.schema, field, nodes[0])))
        if not counts:
            raise Uncompilable(f"{field.ast_node or nodes[0].name.value}: not for these arguments")
        parent = rows.c[column_of(model, declared.key)]
        total: Any = None
        for count in counts:
            value = self.relation(field, count, rows, parent, nodes, name="a count")
            total = value if total is None else total + value
        return total  # type: ignore[no-any-return]

    def column(self, field: GraphQLField, column: Any) -> ColumnElement[Any]:
        named = get_named_type(field.type)
        if isinstance(named, GraphQLEnumType):
            return sqljson.enum_names(column, named, many=_is_list(field.type))
        kind = named.name
        if kind == "DateTime":
            return sqljson.iso_datetime(column)
        if kind == "Float":
            return sqljson.float_json(column)
        return column  # type: ignore[no-any-return]

    def relation(
        self,
        field: GraphQLField,
        relation: Any,
        parent_rows: Any,
        parent: Any,
        nodes: list[FieldNode],
        *,
        name: str,
    ) -> ColumnElement[Any]:
        """A declared relation (a `related` field's, a count's): a subquery correlated to the
        parent row (explicitly: it may sit several levels below the parent's FROM)."""
        if isinstance(relation, Values):
            rows = relation.rows(self.scope)
            value = rows.c[relation.value]
            stmt = select(sqljson.json_list(value, value.asc())).where(rows.c[PARENT] == parent)
            return stmt.correlate(parent_rows).scalar_subquery()
        seed = lambda column: column == parent  # noqa: E731
        if isinstance(relation, Count):
            rows = relation.rows.rows(None, self.scope, seed)
            stmt = select(func.count()).select_from(rows).where(rows.c[PARENT] == parent)
            return stmt.correlate(parent_rows).scalar_subquery()
        if not isinstance(relation, RowSource):
            raise Uncompilable(f"{name} declares no relation")
        rows = relation.rows(None, self.scope, seed)  # a walk starts from this parent only
        item = self.object(get_named_type(field.type), rows, nodes)
        if relation.many:
            if not is_list_type(getattr(field.type, "of_type", field.type)):
                raise Uncompilable(f"{name} is many-valued")
            stmt = select(sqljson.json_list(item, *relation.order_by(rows)))
            stmt = stmt.where(rows.c[PARENT] == parent)
            return stmt.correlate(parent_rows).scalar_subquery()
        stmt = select(item).where(rows.c[PARENT] == parent)
        value = stmt.correlate(parent_rows).scalar_subquery()
        if is_non_null_type(field.type):
            # the reference answers a missing row of a non-null field with an error
            self.uses_sentinel = True
            return func.coalesce(value, SENTINEL_SQL)
        return value


def _is_list(type_: Any) -> bool:
    return is_list_type(type_.of_type if is_non_null_type(type_) else type_)


def python_type(column: Any) -> type:
    try:
        return column.type.python_type  # type: ignore[no-any-return]
    except NotImplementedError:
        return uuid.UUID
