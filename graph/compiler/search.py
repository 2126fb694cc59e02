"""`searchDocuments` in SQL: the statement `persistence.document.search` runs, as a window of
the compiled connection.

The matches, the rank and the snippets come from the same functions as the reference's;
what is per request (the query, the filter's values, the marks and snippet sizes, the
`after` cursor) is bound. Ranks are `real`: compared as `real`, written and put in cursors
as the double they widen to, which is what the reference's Python float is.
"""

from __future__ import annotations

import uuid
from typing import Any

from graphql import FieldNode, GraphQLField, get_named_type
from sqlalchemy import (
    REAL,
    Double,
    Text,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.sql.elements import ColumnElement

from graph.compiler import sqljson
from graph.compiler.arguments import ArgSite, Env, Fallback, Uncompilable
from graph.compiler.compile import Compiler, json_object
from graph.compiler.connections import ROW_NUMBER, Page, _symbolic_filter, connection
from graph.core.errors import BadUserInput
from graph.retrieval import entries
from graph.retrieval.entries import SearchCall
from persistence.document import search
from persistence.document.models import Document
from persistence.errors import DomainError
from persistence.pagination import Window, decode_cursor

RANK_KEY = "_khub_rank"
SNIPPET = "_khub_snippet"
TITLE_SNIPPET = "_khub_title_snippet"


class _Filter:
    """`searchDocuments`' filter as `_symbolic_filter` reads a declaration's."""

    @staticmethod
    def filter(args: dict[str, Any]) -> Any:
        given = args.get("filter")
        return given.to_domain() if given is not None else search.SearchFilter()


def record_hits(compiler: Compiler, site: ArgSite, window: Any, size: Any) -> None:
    """Declare the search's hits (id and rank, best first) to the compiler, which returns
    them next to the data for the retrieval history; and how the call is described."""
    on_page = window.c[ROW_NUMBER] <= size
    pair = func.json_build_array(window.c.id, window.c[RANK_KEY])
    hits = select(sqljson.json_list(pair, window.c[ROW_NUMBER].asc())).where(on_page)

    def call(env: Env) -> SearchCall:
        given = env.args(site)
        filter = given.get("filter")
        try:
            conversation = entries.conversation_id(given.get("conversation_id"))
        except BadUserInput as error:
            raise Fallback(error.message) from error
        return SearchCall(
            query=given["query"],
            filters=entries.search_filters(
                filter.to_domain() if filter is not None else search.SearchFilter()
            ),
            conversation=conversation,
        )

    compiler.searches.append((call, hits.scalar_subquery()))


def search_connection(
    compiler: Compiler, field: GraphQLField, nodes: list[FieldNode]
) -> ColumnElement[Any]:
    site = ArgSite(compiler.schema, field, nodes[0])
    args = compiler.env.args(site)
    checked = object()

    def valid(env: Env) -> tuple[Window, search.Highlight, Any]:
        def check() -> tuple[Window, search.Highlight, Any]:
            given = env.args(site)
            window = Window(first=given.get("first"), after=given.get("after"))
            marks = given.get("highlight")
            highlight = marks.to_domain() if marks is not None else search.Highlight()
            try:
                window.validate()
                highlight.validate()
                if len(given["query"]) > search.MAX_QUERY_LENGTH:
                    raise Fallback("the query is too long")
                after = None
                if window.after is not None:
                    after = decode_cursor(window.after, (float, uuid.UUID), argument="after")
            except DomainError as error:
                raise Fallback(error.message) from error
            return window, highlight, after

        return env.memo(checked, check)  # type: ignore[no-any-return]

    bind = compiler.params.bind
    query = bind(lambda env: env.args(site)["query"], Text())
    size = compiler.page_size(lambda env: valid(env)[0].size, site)
    options = bind(lambda env: valid(env)[1].options(), Text())
    title_options = bind(lambda env: valid(env)[1].options(whole=True), Text())
    start_mark = bind(lambda env: valid(env)[1].start_mark, Text())
    stop_mark = bind(lambda env: valid(env)[1].stop_mark, Text())
    tsquery = search.web_query(query)
    filter = _symbolic_filter(compiler, site, _Filter, args)  # type: ignore[arg-type]

    def matches() -> Any:
        return search._matches(None, compiler.scope, tsquery, filter)  # type: ignore[arg-type]

    rank = func.ts_rank(literal_column(search.WEIGHTS), Document.search_vector, tsquery, type_=REAL)
    ranked = matches().add_columns(rank.label(RANK_KEY + "_real")).subquery()
    real_rank = ranked.c[RANK_KEY + "_real"]
    conditions = []
    if args.get("after") is not None:
        after_rank = cast(bind(lambda env: valid(env)[2][0], Double()), REAL)
        after_id = bind(lambda env: valid(env)[2][1], UUID(as_uuid=True))
        conditions.append(
            or_(real_rank < after_rank, and_(real_rank == after_rank, ranked.c.id > after_id))
        )
    ordering = (real_rank.desc(), ranked.c.id.asc())
    number = func.row_number().over(order_by=ordering).label(ROW_NUMBER)
    # A CTE, read twice: by the page and by the hits the history records (`record_hits`).
    window = (
        select(ranked, cast(real_rank, Double).label(RANK_KEY), number)
        .where(*conditions)
        .order_by(*ordering)
        .limit(sqljson.one_more(size))
        .cte(f"search_{len(compiler.searches)}")
    )
    record_hits(compiler, site, window, size)
    # the snippets outside the LIMIT: for the rows of the page only
    page_rows = select(
        window,
        search._headline(window.c.content, tsquery, options).label(SNIPPET),
        search._headline(window.c.title, tsquery, title_options).label(TITLE_SNIPPET),
    ).subquery()

    def marked(text: Any) -> Any:
        return func.replace(
            func.replace(text, sqljson.lit(search.START), start_mark),
            sqljson.lit(search.STOP),
            stop_mark,
        )

    def hit(rows: Any, field_nodes: list[FieldNode]) -> ColumnElement[Any]:
        hit_type = get_named_type(get_named_type(field.type).fields["edges"].type)
        hit_type = get_named_type(hit_type.fields["node"].type)
        selections = [n.selection_set for n in field_nodes if n.selection_set is not None]
        pairs = []
        for key, nodes_ in compiler.collector.fields(hit_type, selections).items():
            name = nodes_[0].name.value
            if name == "__typename":
                value = sqljson.constant(hit_type.name)
            elif name == "document":
                document_type = get_named_type(hit_type.fields["document"].type)
                value = compiler.object(document_type, rows, nodes_)
            elif name == "rank":
                value = sqljson.float_json(rows.c[RANK_KEY])
            elif name == "highlight":
                value = marked(rows.c[SNIPPET])
            elif name == "titleHighlight":
                title = rows.c[TITLE_SNIPPET]
                found = func.strpos(title, sqljson.lit(search.START)) > 0
                value = case((found, marked(title)))
            else:
                raise Uncompilable(f"{hit_type.name}.{name}")
            pairs.append((key, value))
        return json_object(pairs)

    total = select(func.count()).select_from(matches().subquery())
    return connection(
        compiler,
        field,
        nodes,
        Page(
            rows=page_rows,
            key=page_rows.c[RANK_KEY],
            size=size,
            backwards=False,
            after=args.get("after") is not None,
            before=False,
            total=total.scalar_subquery(),
            node=hit,
        ),
    )
