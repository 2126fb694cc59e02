"""Full-text search over documents: web-search syntax, ranked, highlighted, paged by keyset.

The query is read by `websearch_to_tsquery` ("quoted phrases", `-exclusions`, `OR`); one
that reduces to nothing (blank, stop words only, punctuation) matches nothing. Hits are
ordered by rank, best first, then id; a cursor carries both. Snippets are computed only for
the rows of the page, and are HTML-safe: the text is escaped before `ts_headline` sees it,
and the caller's marks replace private sentinels afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    REAL,
    and_,
    any_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from persistence.collection.models import Collection
from persistence.collection.repository import CollectionRepository
from persistence.document.models import Document, DocumentStatus, DocumentTag
from persistence.document.repository import DocumentFilter, DocumentRepository
from persistence.errors import ValidationError
from persistence.pagination import Page, Window, decode_cursor, encode_cursor
from persistence.repository import uuid_array
from persistence.scope import Scope

MAX_QUERY_LENGTH = 1000
MAX_MARK_LENGTH = 100
MAX_WORDS = 100
MAX_FRAGMENTS = 10

# Weights of the vector's classes {D, C, B, A}: a title (A) word counts 2.5 times a
# content (B) word. `ts_rank` (not `ts_rank_cd`) grows only logarithmically with repeats,
# so a title match stays above a body that merely repeats the word.
WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'::real[]"

# Private-use characters mark the matches inside PostgreSQL; they are stripped from the
# text first, so they cannot be forged by a document's content.
START = "\ue000"
STOP = "\ue001"
HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


@dataclass(frozen=True)
class SearchFilter:
    """Which documents a search may return; all conditions hold together.

    `tag_ids` keeps documents with ANY of the tags (an empty list matches nothing).
    """

    collection_id: uuid.UUID | None = None
    include_descendants: bool = True
    tag_ids: Sequence[uuid.UUID] | None = None
    status: DocumentStatus | None = None
    owner_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Highlight:
    """How snippets are marked: the marks are the caller's markup, inserted verbatim."""

    start_mark: str = "<mark>"
    stop_mark: str = "</mark>"
    max_words: int = 35
    max_fragments: int = 2

    def validate(self) -> None:
        for name in ("start_mark", "stop_mark"):
            if len(getattr(self, name)) > MAX_MARK_LENGTH:
                raise ValidationError(name, f"{name} must be at most {MAX_MARK_LENGTH} characters")
        if not 2 <= self.max_words <= MAX_WORDS:
            raise ValidationError("max_words", f"max_words must be between 2 and {MAX_WORDS}")
        if not 0 <= self.max_fragments <= MAX_FRAGMENTS:
            raise ValidationError(
                "max_fragments", f"max_fragments must be between 0 and {MAX_FRAGMENTS}"
            )

    def options(self, *, whole: bool = False) -> str:
        """`ts_headline` options; `whole` marks the complete text (for titles)."""
        marks = f'StartSel="{START}", StopSel="{STOP}"'
        if whole:
            return f"{marks}, HighlightAll=true"
        min_words = max(1, min(15, self.max_words // 2))
        return (
            f"{marks}, MaxWords={self.max_words}, MinWords={min_words}, "
            f"MaxFragments={self.max_fragments}"
        )

    def mark(self, escaped: str) -> str:
        return escaped.replace(START, self.start_mark).replace(STOP, self.stop_mark)


@dataclass(frozen=True)
class Hit:
    """A matching document, its rank (higher is better) and HTML-safe highlighted snippets;
    `title_highlight` is None when no query word is in the title."""

    document: Document
    rank: float
    highlight: str
    title_highlight: str | None


def _constant(value: str) -> Any:
    """A string constant written into the SQL text (one statement text, fewer parameters)."""
    return literal_column("'" + value.replace("'", "''") + "'")


ENGLISH = literal_column("'english'::regconfig", REGCONFIG)


def web_query(query: Any) -> Any:
    """`websearch_to_tsquery(query)` as a scalar subquery, which PostgreSQL evaluates once per
    statement. Called with a bound parameter in a prepared statement's generic plan, the
    function ran again for every row ranked and rechecked; so PostgreSQL planned every
    execution afresh instead (a custom plan folds the call), ~0.45 ms each. As an InitPlan
    the generic plan is as good, and the statement is planned once."""
    return select(func.websearch_to_tsquery(ENGLISH, query)).scalar_subquery()


def _tsquery(query: str) -> Any:
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError("query", f"query must be at most {MAX_QUERY_LENGTH} characters")
    return web_query(bindparam("query", query))


def _collections(session: AsyncSession, scope: Scope, filter: SearchFilter) -> Any:
    """The live, visible collection ids the filter names: one, or its whole subtree."""
    live = [
        Collection.organization_id == scope.organization_id,
        Collection.deleted_at.is_(None),
        *CollectionRepository(session, scope).visible(),
    ]
    root = select(Collection.id).where(*live, Collection.id == filter.collection_id)
    if not filter.include_descendants:
        return root
    tree = root.cte("subtree", recursive=True, nesting=True)
    # UNION, not UNION ALL: even a cycle the constraints somehow missed ends the walk.
    below = select(Collection.id).where(*live, Collection.parent_id == tree.c.id)
    return select(tree.union(below).c.id)


def _matches(session: AsyncSession, scope: Scope, tsquery: Any, filter: SearchFilter) -> Any:
    """Live documents the caller may see that match the query and the filter."""
    documents = DocumentRepository(session, scope)
    stmt = documents.select(filter=DocumentFilter(owner_id=filter.owner_id, status=filter.status))
    # numnode() = 0 for a query of stop words only; no column in it: a one-time filter
    matching = Document.search_vector.bool_op("@@")(tsquery)
    stmt = stmt.where(func.numnode(tsquery) > literal_column("0"), matching)
    if filter.collection_id is not None:
        stmt = stmt.where(Document.collection_id.in_(_collections(session, scope, filter)))
    if filter.tag_ids is not None:
        stmt = stmt.where(
            exists().where(
                DocumentTag.organization_id == scope.organization_id,
                DocumentTag.document_id == Document.id,
                DocumentTag.tag_id == any_(uuid_array("tag_ids", filter.tag_ids)),
            )
        )
    return stmt


def _escaped(text: Any) -> Any:
    """`text` without the sentinels and HTML-escaped, in SQL: what `ts_headline` reads."""
    text = func.translate(text, _constant(START + STOP), _constant(""))
    for raw, entity in HTML_ESCAPES:
        text = func.replace(text, _constant(raw), _constant(entity))
    return text


def _headline(text: Any, tsquery: Any, options: str) -> Any:
    return func.ts_headline(ENGLISH, _escaped(text), tsquery, options)


async def search(
    session: AsyncSession,
    scope: Scope,
    query: str,
    filter: SearchFilter | None = None,
    window: Window | None = None,
    highlight: Highlight | None = None,
) -> Page[Hit]:
    """One page of hits, best first, forwards from `window.after`; one statement."""
    filter = filter or SearchFilter()
    window = window or Window()
    highlight = highlight or Highlight()
    window.validate()
    highlight.validate()
    if window.backwards:
        raise ValidationError("last", "search results page forwards only (first/after)")
    tsquery = _tsquery(query)
    rank = func.ts_rank(literal_column(WEIGHTS), Document.search_vector, tsquery, type_=REAL)
    ranked = _matches(session, scope, tsquery, filter).add_columns(rank.label("rank")).subquery()
    page = select(ranked).order_by(ranked.c.rank.desc(), ranked.c.id)
    if window.after is not None:
        after_rank, after_id = decode_cursor(window.after, (float, uuid.UUID), argument="after")
        # the rank travels as the exact float its real value widens to; compared as real
        bound = cast(literal(after_rank), REAL)
        page = page.where(
            or_(ranked.c.rank < bound, and_(ranked.c.rank == bound, ranked.c.id > after_id))
        )
    limited = page.limit(window.size + 1).subquery("page")
    # The headlines are computed outside the LIMIT: for the rows of this page only.
    stmt = select(
        aliased(Document, limited),
        limited.c.rank,
        _headline(limited.c.content, tsquery, highlight.options()),
        _headline(limited.c.title, tsquery, highlight.options(whole=True)),
    ).order_by(limited.c.rank.desc(), limited.c.id)
    rows = (await session.execute(stmt)).all()
    more = len(rows) > window.size
    hits = [
        Hit(
            document=document,
            rank=rank,
            highlight=highlight.mark(snippet),
            title_highlight=highlight.mark(title) if START in title else None,
        )
        for document, rank, snippet, title in rows[: window.size]
    ]
    return Page(
        items=hits,
        cursors=[encode_cursor((hit.rank, hit.document.id)) for hit in hits],
        has_next_page=more,
        has_previous_page=window.after is not None,
    )


async def count(
    session: AsyncSession, scope: Scope, query: str, filter: SearchFilter | None = None
) -> int:
    """How many documents match, across all pages; one statement."""
    matches = _matches(session, scope, _tsquery(query), filter or SearchFilter())
    return await session.scalar(select(func.count()).select_from(matches.subquery())) or 0
