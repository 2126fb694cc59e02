"""`searchDocuments`: full-text search with ranks and HTML-safe highlighted snippets."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.arguments import FILTER, After, First
from graph.core.cost import weigh
from graph.core.enums import DocumentStatus
from graph.core.ids import query_row_id
from graph.core.pagination import Connection, bad_input, build, window
from graph.core.permissions import IsAuthenticated
from graph.document.types import Document
from graph.retrieval import entries
from graph.retrieval.arguments import CONVERSATION_ID
from persistence import errors as domain
from persistence.document import search

SEARCH_WEIGHT = 10
"""Ranking reads every match, not only the page: a search costs this much before its rows
(graph/core/cost.py)."""
SEARCH = "khub.search"
"""The metadata key of `searchDocuments`: the compiled read path builds the same statement
from `persistence.document.search`, the hits' fields by their names below."""


@strawberry.type(description="A document that matches a search, with its rank and snippets.")
class SearchHit:
    document: Document = strawberry.field(description="The matching document.")
    rank: float = strawberry.field(
        description="Relevance, higher is better; title words weigh more than content words. "
        "Comparable only within one search."
    )
    highlight: str = strawberry.field(
        description="HTML-safe snippet of the content around the matches, which are wrapped "
        "in the highlight marks; the start of the content when only the title matches."
    )
    title_highlight: str | None = strawberry.field(
        description="The whole title, HTML-safe, with its matches marked; null when no "
        "searched word is in the title."
    )


@strawberry.input(description="Which documents a search may return; all conditions must hold.")
class SearchFilter:
    collection_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only documents in this collection (and, by default, below)."
    )
    include_descendants: bool = strawberry.field(
        default=True,
        description="With `collectionId`: include the documents of its live sub-collections, "
        "at any depth.",
    )
    tag_ids: list[relay.GlobalID] | None = strawberry.field(
        default=None,
        description="Only documents with ANY of these tags (an empty list matches nothing).",
    )
    status: DocumentStatus | None = strawberry.field(default=None, description="Only this status.")
    owner_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Only documents this user owns."
    )

    def to_domain(self) -> search.SearchFilter:
        tag_ids = None
        if self.tag_ids is not None:
            tag_ids = [query_row_id(t, "Tag", field="tagIds") for t in self.tag_ids]
        return search.SearchFilter(
            collection_id=query_row_id(self.collection_id, "Collection", field="collectionId"),
            include_descendants=self.include_descendants,
            tag_ids=tag_ids,  # type: ignore[arg-type]
            status=self.status,
            owner_id=query_row_id(self.owner_id, "User", field="ownerId"),
        )


@strawberry.input(description="How snippets mark the matches.")
class HighlightOptions:
    start_mark: str = strawberry.field(
        default="<mark>",
        description="Inserted verbatim before each match: it is the caller's markup, not "
        "escaped (at most 100 characters).",
    )
    stop_mark: str = strawberry.field(
        default="</mark>",
        description="Inserted verbatim after each match (at most 100 characters).",
    )
    max_words: int = strawberry.field(
        default=35, description="Longest snippet fragment, in words (2 to 100)."
    )
    max_fragments: int = strawberry.field(
        default=2,
        description="How many fragments around matches a snippet joins with ' ... ' (0 to "
        "10); 0 gives one snippet of up to `maxWords` words.",
    )

    def to_domain(self) -> search.Highlight:
        return search.Highlight(
            start_mark=self.start_mark,
            stop_mark=self.stop_mark,
            max_words=self.max_words,
            max_fragments=self.max_fragments,
        )


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description="Full-text search of the live documents the caller may see, best match "
        'first. Web-search syntax: words (all must occur, stemmed), "quoted phrases", '
        "-excluded words and OR. A query of stop words only matches nothing.",
        permission_classes=[IsAuthenticated],
        metadata={SEARCH: True, **weigh(own=SEARCH_WEIGHT)},
    )
    async def search_documents(
        self,
        info: strawberry.Info,
        query: Annotated[
            str,
            strawberry.argument(description="What to look for (at most 1000 characters)."),
        ],
        filter: Annotated[SearchFilter | None, FILTER] = None,
        first: First = None,
        after: After = None,
        highlight: Annotated[
            HighlightOptions | None,
            strawberry.argument(description="How snippets mark the matches."),
        ] = None,
        conversation_id: CONVERSATION_ID = None,
    ) -> Connection[SearchHit]:
        context = info.context
        scope = context.viewer.scope()
        conditions = filter.to_domain() if filter else search.SearchFilter()
        marks = highlight.to_domain() if highlight else search.Highlight()
        conversation = entries.conversation_id(conversation_id)
        started = time.perf_counter()
        try:
            async with context.operation.session() as session:
                page = await search.search(
                    session, scope, query, conditions, window(first, after, None, None), marks
                )
        except domain.ValidationError as error:
            raise bad_input(error) from error
        hits = [
            SearchHit(
                document=hit.document,  # type: ignore[arg-type]
                rank=hit.rank,
                highlight=hit.highlight,
                title_highlight=hit.title_highlight,
            )
            for hit in page.items
        ]
        entry = entries.search_entry(
            context.viewer,
            query=query,
            filters=entries.search_filters(conditions),
            conversation=conversation,
            hits=[(hit.document.id, hit.rank) for hit in page.items],
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        entries.record(context.request, entry)

        async def count() -> int:
            async with context.operation.session() as session:
                return await search.count(session, scope, query, conditions)

        return build(replace(page, items=hits), count)
