"""Connections in SQL: keyset windows, `edges`, `pageInfo` and `totalCount`, exactly as
`Repository.page` (root lists) and `Repository.first_per` (nested lists) answer them."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from graphql import FieldNode, GraphQLField, get_named_type
from sqlalchemy import func, select, tuple_
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.sql.elements import ColumnElement

from graph.compiler import sqljson
from graph.compiler.arguments import ArgSite, Env, Fallback, Uncompilable
from graph.compiler.compile import Compiler, json_object, python_type
from graph.core.errors import Forbidden
from graph.core.pagination import RootList, admin_only_deleted
from persistence.errors import DomainError
from persistence.pagination import MAX_PAGE_SIZE, Order, Window, decode_cursor

ROW_NUMBER = "_khub_n"


@dataclasses.dataclass
class Page:
    """A window of rows numbered in fetch order, and what its connection needs to know."""

    rows: Any
    key: Any
    size: Any  # the bound page size
    backwards: bool
    after: bool
    before: bool
    total: Any  # a scalar subquery counting every matching row
    node: Any = None  # builds an edge's node from (rows, field nodes); else the row's object
    cursor: Any = None  # an edge's cursor over the rows; else from the sort key and id
    plain: Any = None  # () -> (rows, order): the page unnumbered, for a forward page without
    # pageInfo (a window function under every parent cost more than the rest of the statement)


def root_connection(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], declaration: RootList
) -> ColumnElement[Any]:
    site = ArgSite(compiler.schema, field, nodes[0])
    args = compiler.env.args(site)
    try:
        order = declaration.order(args)
    except Exception as exc:
        raise Uncompilable(f"{field.ast_node or nodes[0].name.value}: {exc}") from exc
    try:
        include_deleted = admin_only_deleted(_Admin(compiler.is_admin), args.get("include_deleted"))
    except Forbidden as error:
        compiler.checks.append(_filter_check(site, declaration))  # the reference reads it first
        return compiler.refuse(field, nodes, error)
    repository = declaration.repository(None, compiler.scope)
    filter = _symbolic_filter(compiler, site, declaration, args)
    return _keyset(compiler, field, nodes, site, repository, order, filter, include_deleted)


def child_connection(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], child: Any, parent_rows: Any
) -> ColumnElement[Any]:
    """`ChildList`: a keyset page both ways of the rows under one parent, as
    `Repository.page` answers it with the declaration's filter for that parent."""
    site = ArgSite(compiler.schema, field, nodes[0])
    repository = child.repository(None, compiler.scope)
    return _keyset(
        compiler,
        field,
        nodes,
        site,
        repository,
        child.order,
        None,
        False,
        child.column,
        parent_rows,
    )


def _keyset(
    compiler: Compiler,
    field: GraphQLField,
    nodes: list[FieldNode],
    site: ArgSite,
    repository: Any,
    order: Order,
    filter: Any,
    include_deleted: bool,
    column: str | None = None,
    parent_rows: Any = None,
) -> ColumnElement[Any]:
    """One keyset page of `repository`'s scoped rows; with `column`, only those under one
    row of `parent_rows` (the window LATERAL to it, the count correlated)."""
    args = compiler.env.args(site)
    key = _sort_key(repository, order)
    scoped = repository.select(include_deleted=include_deleted, filter=filter)
    rows = scoped.subquery()
    key_column = rows.c[key.key]
    backwards = args.get("last") is not None or (
        args.get("before") is not None and args.get("first") is None
    )
    descending = order.descending != backwards
    conditions = [] if column is None else [rows.c[column] == parent_rows.c.id]
    for argument in ("after", "before"):
        if args.get(argument) is None:
            continue
        value, id = _cursor_params(compiler, site, argument, key)
        after_this = (argument == "after") != order.descending
        pair, bound = tuple_(key_column, rows.c.id), tuple_(value, id)
        conditions.append(pair > bound if after_this else pair < bound)

    def size(env: Env) -> int:
        given = env.args(site)
        window = Window(
            first=given.get("first"),
            after=given.get("after"),
            last=given.get("last"),
            before=given.get("before"),
        )
        try:
            window.validate()
        except DomainError as error:
            raise Fallback(error.message) from error
        return window.size

    size_param = compiler.page_size(size, site)

    def window(numbered: bool) -> Any:
        return _window(rows, key_column, descending, conditions, size_param, parent_rows, numbered)

    counted = repository.select(include_deleted=include_deleted, filter=filter).subquery()
    total = select(func.count()).select_from(counted)
    if column is not None:
        total = total.where(counted.c[column] == parent_rows.c.id).correlate(parent_rows)
    return connection(
        compiler,
        field,
        nodes,
        Page(
            rows=window(True),
            key=key,
            size=size_param,
            backwards=backwards,
            after=args.get("after") is not None,
            before=args.get("before") is not None,
            total=total.scalar_subquery(),
            plain=lambda: window(False),
        ),
    )


def nested_connection(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], loader: Any, parent_rows: Any
) -> ColumnElement[Any]:
    """`FirstPerLoader`: the first rows under one parent, forwards only."""
    site = ArgSite(compiler.schema, field, nodes[0])

    def first(env: Env) -> int:
        value = env.args(site)["first"]
        if not 0 <= value <= MAX_PAGE_SIZE:
            raise Fallback(f"first must be between 0 and {MAX_PAGE_SIZE}")
        return int(value)

    repository = loader.repository(None, compiler.scope)
    key = _sort_key(repository, loader.order)
    rows = repository.select().subquery()
    group = rows.c[loader.column]
    size_param = compiler.page_size(first, site)
    parent = parent_rows.c.id

    def window(numbered: bool) -> Any:
        descending = loader.order.descending
        conditions = [group == parent]
        return _window(
            rows, rows.c[key.key], descending, conditions, size_param, parent_rows, numbered
        )

    counted = repository.select().subquery()
    total = select(func.count()).select_from(counted).where(counted.c[loader.column] == parent)
    total = total.correlate(parent_rows)
    return connection(
        compiler,
        field,
        nodes,
        Page(
            window(True),
            key,
            size_param,
            False,
            False,
            False,
            total.scalar_subquery(),
            plain=lambda: window(False),
        ),
    )


def connection(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], page: Page
) -> ColumnElement[Any]:
    connection_type = get_named_type(field.type)
    selections = [n.selection_set for n in nodes if n.selection_set is not None]
    selected = compiler.collector.fields(connection_type, selections)
    informs = any(f[0].name.value == "pageInfo" for f in selected.values())
    if page.plain is not None and not page.backwards and not informs:
        rows, output = page.plain()
        page = dataclasses.replace(page, rows=rows)
        on_page = reverse = more = None
    else:
        rows = page.rows
        number = rows.c[ROW_NUMBER]
        on_page = number <= page.size
        output = (number.desc(),) if page.backwards else (number.asc(),)
        reverse = (number.asc(),) if page.backwards else (number.desc(),)
        more = func.count(number) > page.size  # a walk's empty page has one unnumbered row
    cursor = page.cursor
    if cursor is None:
        cursor = sqljson.cursor(
            sqljson.key_json(rows.c[page.key.key], python_type(page.key)), rows.c.id
        )
    pairs = []
    for key, field_nodes in selected.items():
        name = field_nodes[0].name.value
        if name == "__typename":
            value = sqljson.constant(connection_type.name)
        elif name == "totalCount":
            value = page.total
        elif name == "edges":
            edge_field = connection_type.fields["edges"]
            item = _edge(compiler, edge_field, field_nodes, page, cursor)
            value = sqljson.json_list(item, *output, where=on_page)
        elif name == "pageInfo":
            info_type = get_named_type(connection_type.fields["pageInfo"].type)
            facts = {
                "hasNextPage": sqljson.TRUE if page.before else None,
                "hasPreviousPage": sqljson.TRUE if page.after else None,
                "startCursor": sqljson.first_of(cursor, *output, where=on_page),
                "endCursor": sqljson.first_of(cursor, *reverse, where=on_page),
            }
            facts["hasNextPage" if not page.backwards else "hasPreviousPage"] = more
            value = _info(compiler, info_type, field_nodes, facts, page)
        else:
            raise Uncompilable(f"{connection_type.name}.{name}")
        pairs.append((key, value))
    # HAVING makes it one aggregate row even when nothing selected aggregates (`totalCount`)
    stmt = select(json_object(pairs)).select_from(rows).having(sqljson.TRUE)
    return stmt.scalar_subquery()


def _edge(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode], page: Page, cursor: Any
) -> ColumnElement[Any]:
    edge_type = get_named_type(field.type)
    selections = [n.selection_set for n in nodes if n.selection_set is not None]
    pairs = []
    for key, field_nodes in compiler.collector.fields(edge_type, selections).items():
        name = field_nodes[0].name.value
        if name == "__typename":
            value = sqljson.constant(edge_type.name)
        elif name == "cursor":
            value = cursor
        elif name == "node":
            node_type = get_named_type(edge_type.fields["node"].type)
            if page.node is not None:
                value = page.node(page.rows, field_nodes)
            else:
                value = compiler.object(node_type, page.rows, field_nodes)
        else:
            raise Uncompilable(f"{edge_type.name}.{name}")
        pairs.append((key, value))
    return json_object(pairs)


def _info(
    compiler: Compiler, info_type: Any, nodes: list[FieldNode], facts: dict[str, Any], page: Page
) -> ColumnElement[Any]:
    selections = [n.selection_set for n in nodes if n.selection_set is not None]
    pairs = []
    for key, field_nodes in compiler.collector.fields(info_type, selections).items():
        name = field_nodes[0].name.value
        if name == "__typename":
            value = sqljson.constant(info_type.name)
        elif name in facts:
            value = facts[name] if facts[name] is not None else sqljson.FALSE
        else:
            raise Uncompilable(f"{info_type.name}.{name}")
        pairs.append((key, value))
    return json_object(pairs)


def _window(
    rows: Any,
    key: Any,
    descending: bool,
    conditions: list[Any],
    size: Any,
    parent_rows: Any = None,
    numbered: bool = True,
) -> Any:
    """At most `size + 1` rows in fetch order, numbered from 1 (the extra row says more);
    LATERAL, correlated to `parent_rows`, under a parent. Not `numbered`: at most `size`
    rows, returned with their fetch order over the window's own columns."""
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    ordering = (direction(key), direction(rows.c.id))
    if numbered:
        number = func.row_number().over(order_by=ordering).label(ROW_NUMBER)
        stmt = select(rows, number).limit(sqljson.one_more(size))
    else:
        stmt = select(rows).limit(size)
    stmt = stmt.where(*conditions).order_by(*ordering)
    window = stmt.subquery() if parent_rows is None else stmt.correlate(parent_rows).lateral()
    if numbered:
        return window
    return window, (direction(window.c[key.name]), direction(window.c.id))


def _sort_key(repository: Any, order: Order) -> Any:
    try:
        return repository._sort_key(order)
    except DomainError as error:
        raise Uncompilable(error.message) from error


def _cursor_params(compiler: Compiler, site: ArgSite, argument: str, key: Any) -> tuple[Any, Any]:
    types = (python_type(key), uuid.UUID)
    marker = object()

    def decoded(env: Env) -> tuple[Any, Any]:
        def decode() -> tuple[Any, Any]:
            try:
                return decode_cursor(env.args(site)[argument], types, argument=argument)  # type: ignore[arg-type]
            except DomainError as error:
                raise Fallback(error.message) from error

        return env.memo(marker, decode)  # type: ignore[no-any-return]

    value = compiler.params.bind(lambda env: decoded(env)[0], key.type)
    id = compiler.params.bind(lambda env: decoded(env)[1], UUID(as_uuid=True))
    return value, id


def _filter_check(site: ArgSite, declaration: RootList) -> Any:
    """The domain filter made from a request's values, as `RootList.resolve` makes it before
    it asks whether deleted rows may be listed: a filter it refuses falls back."""

    def check(env: Env) -> None:
        try:
            declaration.filter(env.args(site))
        except Exception as exc:
            raise Fallback(str(exc)) from exc

    return check


def _symbolic_filter(compiler: Compiler, site: ArgSite, declaration: RootList, args: Any) -> Any:
    """The domain filter with every value a bound parameter (booleans and absent values
    shape the SQL and are part of the plan's key, so they stay as they are)."""
    marker = object()

    def domain(env: Env) -> Any:
        return env.memo(marker, lambda: declaration.filter(env.args(site)))

    try:
        current = declaration.filter(args)
    except Exception as exc:
        raise Fallback(str(exc)) from exc
    if current is None:
        return None
    symbolic = {}
    for item in dataclasses.fields(current):
        value = getattr(current, item.name)
        if value is None or isinstance(value, bool) or value == "":
            continue
        symbolic[item.name] = compiler.params.bind(
            lambda env, name=item.name: getattr(domain(env), name)
        )
    return dataclasses.replace(current, **symbolic)


class _Admin:
    def __init__(self, is_admin: bool) -> None:
        self.is_admin = is_admin
