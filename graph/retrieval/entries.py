"""What a retrieval call records, built the same way by both execution paths.

The reference executor's resolvers (`searchDocuments`, `similarNodes`) and the compiled read
path (`graph/compiler/pipeline.py`) both end here, so the history cannot depend on which
path answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from strawberry import relay

from graph.core.ids import query_row_id
from persistence.document import search
from persistence.retrieval.models import SEARCH, SIMILAR
from persistence.retrieval.writer import RetrievalEntry

CONVERSATION = "Conversation"


@dataclass(frozen=True)
class SearchCall:
    """A search as its arguments describe it (the compiled path's, before it runs)."""

    query: str
    filters: dict[str, Any]
    conversation: uuid.UUID | None


def conversation_id(given: relay.GlobalID | None) -> uuid.UUID | None:
    """The row id of a `conversationId` argument (BAD_USER_INPUT when not a Conversation's)."""
    return query_row_id(given, CONVERSATION, field="conversationId")


def search_filters(given: search.SearchFilter) -> dict[str, Any]:
    """A search's filter as JSON: only the conditions that were set."""
    filters: dict[str, Any] = {}
    if given.collection_id is not None:
        filters["collectionId"] = str(given.collection_id)
        filters["includeDescendants"] = given.include_descendants
    if given.tag_ids is not None:
        filters["tagIds"] = [str(t) for t in given.tag_ids]
    if given.status is not None:
        filters["status"] = given.status.name
    if given.owner_id is not None:
        filters["ownerId"] = str(given.owner_id)
    return filters


def search_entry(
    viewer: Any,
    *,
    query: str,
    filters: dict[str, Any],
    conversation: uuid.UUID | None,
    hits: Sequence[tuple[uuid.UUID, float]],
    duration_ms: float,
) -> RetrievalEntry:
    return _entry(
        viewer,
        kind=SEARCH,
        query_text=query,
        source_node_id=None,
        filters=filters,
        conversation=conversation,
        hit_ids=[hit_id for hit_id, _ in hits],
        hit_scores=[score for _, score in hits],
        duration_ms=duration_ms,
    )


def compiled_search_entry(
    viewer: Any, call: SearchCall, found: Sequence[Sequence[Any]], duration_ms: float
) -> RetrievalEntry:
    """A compiled search's entry, from the `[id, rank]` pairs its statement appended to the
    data (`found`): split and parsed column by column, on the request's path."""
    ids, ranks = zip(*found, strict=True) if found else ((), ())
    return _entry(
        viewer,
        kind=SEARCH,
        query_text=call.query,
        source_node_id=None,
        filters=call.filters,
        conversation=call.conversation,
        hit_ids=list(map(uuid.UUID, ids)),
        hit_scores=list(ranks),
        duration_ms=duration_ms,
    )


def similar_entry(
    viewer: Any,
    *,
    source_node_id: uuid.UUID | None,
    node_types: Sequence[str] | None,
    conversation: uuid.UUID | None,
    hits: Sequence[tuple[uuid.UUID, float]],
    duration_ms: float,
) -> RetrievalEntry:
    """A similarity call: from a node (`source_node_id`) or from a vector (None)."""
    filters: dict[str, Any] = {"source": "node" if source_node_id else "vector"}
    if node_types is not None:
        filters["nodeTypes"] = list(node_types)
    return _entry(
        viewer,
        kind=SIMILAR,
        query_text=None,
        source_node_id=source_node_id,
        filters=filters,
        conversation=conversation,
        hit_ids=[hit_id for hit_id, _ in hits],
        hit_scores=[score for _, score in hits],
        duration_ms=duration_ms,
    )


def _entry(
    viewer: Any,
    *,
    kind: str,
    query_text: str | None,
    source_node_id: uuid.UUID | None,
    filters: dict[str, Any],
    conversation: uuid.UUID | None,
    hit_ids: list[uuid.UUID],
    hit_scores: list[float],
    duration_ms: float,
) -> RetrievalEntry:
    return RetrievalEntry(
        organization_id=viewer.organization_id,
        kind=kind,
        query_text=query_text,
        source_node_id=source_node_id,
        filters=filters,
        hit_ids=hit_ids,
        hit_scores=hit_scores,
        duration_ms=duration_ms,
        user_id=viewer.user_id,
        api_key_id=viewer.api_key_id,
        conversation_id=conversation,
    )


def record(connection: Any, entry: RetrievalEntry) -> None:
    """Hand `entry` to the app's recorder (`connection`: the request or websocket)."""
    connection.app.state.retrieval.record(entry)
