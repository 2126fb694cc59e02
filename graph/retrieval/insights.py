"""`retrievalInsights`: what the organization searched for, and what it found (admins)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from graph.core.errors import BadUserInput
from graph.core.permissions import IsAdmin, IsAuthenticated
from graph.document.loaders import DocumentByIdLoader
from persistence.retrieval.insights import MAX_RANGE_DAYS, MAX_TOP, RetrievalInsights

if TYPE_CHECKING:
    from graph.document.types import Document

DocumentRef = Annotated["Document", strawberry.lazy("graph.document.types")]


@strawberry.input(description="Days to report on, both included (UTC).")
class RetrievalRange:
    from_: date = strawberry.field(name="from", description="The first day.")
    to: date = strawberry.field(description=f"The last day (at most {MAX_RANGE_DAYS} days on).")


@strawberry.type(description="Calls on one day.")
class RetrievalDay:
    day: date = strawberry.field(description="The day (UTC).")
    queries: int = strawberry.field(description="searchDocuments and similarNodes calls.")
    zero_hit_queries: int = strawberry.field(description="Of those, calls that found nothing.")


@strawberry.type(description="A search text and how often it was searched for.")
class RetrievalText:
    text: str = strawberry.field(
        description="The text, lowered, with runs of spaces made one (at most 200 characters)."
    )
    queries: int = strawberry.field(description="How many searches (of the kind listed).")


@strawberry.type(description="A document and how often searches returned it.")
class CitedDocument:
    document: DocumentRef = strawberry.field(description="The document.")
    returned: int = strawberry.field(description="How many searches returned it.")


@strawberry.type(description="The retrieval history of a range of days, summed up.")
class RetrievalInsightsReport:
    range_from: date = strawberry.field(name="from", description="The first day.")
    range_to: date = strawberry.field(name="to", description="The last day.")
    query_count: int = strawberry.field(description="Calls in the range.")
    zero_hit_query_count: int = strawberry.field(description="Calls that found nothing.")
    queries_per_day: list[RetrievalDay] = strawberry.field(
        description="Calls per day, oldest first; days without calls are left out."
    )
    top_queries: list[RetrievalText] = strawberry.field(
        description="The most frequent search texts, most first."
    )
    zero_hit_queries: list[RetrievalText] = strawberry.field(
        description="The search texts that most often found nothing, most first."
    )
    duration_p50_ms: float | None = strawberry.field(
        description="Median call duration in ms (nearest rank, to 0.1 ms); null without calls."
    )
    duration_p95_ms: float | None = strawberry.field(
        description="95th percentile call duration in ms (nearest rank, to 0.1 ms)."
    )
    most_cited_documents: list[CitedDocument] = strawberry.field(
        description="The documents searches returned most often, most first."
    )
    documents_never_returned: list[DocumentRef] = strawberry.field(
        description="Live documents no search returned in the range, oldest first."
    )


@strawberry.type
class RetrievalInsightsQueries:
    @strawberry.field(
        description="Admins: queries per day, top and zero-hit search texts, duration "
        "percentiles, the most cited documents and those never returned, over a range of "
        "days. Read from daily rollups kept by the history's writer: calls of the last "
        "second or so may not be counted yet.",
        permission_classes=[IsAuthenticated, IsAdmin],
    )
    async def retrieval_insights(
        self,
        info: strawberry.Info,
        range: Annotated[RetrievalRange, strawberry.argument(description="The days.")],
        first: Annotated[
            int, strawberry.argument(description=f"Entries per list, 1 to {MAX_TOP}.")
        ] = 10,
    ) -> RetrievalInsightsReport:
        if not 1 <= first <= MAX_TOP:
            raise BadUserInput(f"first must be between 1 and {MAX_TOP}", "first")
        if range.to < range.from_ or (range.to - range.from_).days >= MAX_RANGE_DAYS:
            raise BadUserInput(
                f"range.to must be on or after range.from, at most {MAX_RANGE_DAYS} days on",
                "range",
            )
        context = info.context
        async with context.operation.session() as session:
            insights = RetrievalInsights(session, context.viewer.scope(), range.from_, range.to)
            days = await insights.per_day()
            durations = await insights.durations()
            top = await insights.top_texts(first=first, zero_hits=False)
            zero = await insights.top_texts(first=first, zero_hits=True)
            cited = await insights.most_returned(first=first)
            never = await insights.never_returned(first=first)
        documents = context.loaders.get(DocumentByIdLoader)
        cited_rows = await documents.load_many([c.document_id for c in cited])
        never_rows = await documents.load_many(never)
        return RetrievalInsightsReport(
            range_from=range.from_,
            range_to=range.to,
            query_count=sum(d.queries for d in days),
            zero_hit_query_count=sum(d.zero_hit_queries for d in days),
            queries_per_day=[RetrievalDay(**vars(d)) for d in days],
            top_queries=[RetrievalText(text=t.text, queries=t.queries) for t in top],
            zero_hit_queries=[RetrievalText(text=t.text, queries=t.queries) for t in zero],
            duration_p50_ms=durations.p50_ms,
            duration_p95_ms=durations.p95_ms,
            most_cited_documents=[
                CitedDocument(document=row, returned=c.returned)
                for c, row in zip(cited, cited_rows, strict=True)
                if row is not None
            ],
            documents_never_returned=[row for row in never_rows if row is not None],
        )
