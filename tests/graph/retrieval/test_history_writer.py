"""The history writer stores a batch's calls in one INSERT per organization, of one text
whatever the batch's size, and every row holds exactly its call: lists of any length (none
included), nulls, filters, kinds, and a conversation kept only if the organization has it."""

from __future__ import annotations

import struct
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import Database
from persistence.retrieval.models import RetrievalQuery
from persistence.retrieval.writer import RetrievalEntry
from persistence.user.models import Role
from tests.graph.conftest import GraphQLClient, World, organization_with
from tests.graph.fixtures import row_id
from tests.graph.retrieval.conftest import history

START = """
mutation Start($input: ConversationCreateInput!) {
  conversationCreate(input: $input) { ... on ConversationCreateSuccess { conversation { id } } }
}
"""

AT = datetime(2025, 3, 1, 23, 30, 15, 123456, tzinfo=UTC)
AHEAD = timezone(timedelta(hours=5))
HITS = [uuid.UUID(int=n * 7919 + 1) for n in range(6)]
STORED = (
    "organization_id",
    "created_at",
    "kind",
    "query_text",
    "source_node_id",
    "filters",
    "hit_count",
    "hit_ids",
    "hit_scores",
    "duration_ms",
    "user_id",
    "api_key_id",
    "conversation_id",
)


@pytest.fixture
async def stranger(database: Database, settings: Any) -> AsyncIterator[World]:
    """Another organization with one signed-in editor."""
    async with organization_with(database, settings, {"editor": Role.EDITOR}, name="Other") as o:
        yield o


async def _conversation(gql: GraphQLClient, token: str) -> uuid.UUID:
    result = await gql(START, {"input": {"title": "Support"}}, token=token)
    return row_id(result["data"]["conversationCreate"]["conversation"]["id"])


@contextmanager
def history_inserts(engine: AsyncEngine) -> Iterator[list[tuple[str, bool]]]:
    """The INSERTs into the history sent while listening: (text, whether as executemany,
    which asyncpg runs once per parameter set)."""
    sent: list[tuple[str, bool]] = []

    def record(_c: Any, _cur: Any, statement: str, _p: Any, _ctx: Any, many: bool) -> None:
        if statement.lstrip().startswith("INSERT INTO retrieval_queries"):
            sent.append((" ".join(statement.split()), many))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def _call(organization_id: uuid.UUID, n: int, **fields: Any) -> RetrievalEntry:
    """A search with two hits at `AT` plus `n` seconds (the row's own key in these tests)."""
    hits = fields.pop("hit_ids", HITS[:2])
    given: dict[str, Any] = {
        "organization_id": organization_id,
        "kind": "search",
        "query_text": f"call {n}",
        "source_node_id": None,
        "filters": {},
        "hit_ids": hits,
        "hit_scores": [1.0 / (rank + 3) for rank in range(len(hits))],
        "duration_ms": 1.26,
        "user_id": uuid.UUID(int=n + 100),
        "api_key_id": None,
        "conversation_id": None,
        "created_at": AT + timedelta(seconds=n),
    }
    return RetrievalEntry(**(given | fields))


def _as_stored(entry: RetrievalEntry, conversation_kept: bool) -> dict[str, Any]:
    """The row the call must become: a real's precision for the duration, the organization's
    conversations only."""
    return {
        "organization_id": entry.organization_id,
        "created_at": entry.created_at,
        "kind": entry.kind,
        "query_text": entry.query_text,
        "source_node_id": entry.source_node_id,
        "filters": entry.filters,
        "hit_count": len(entry.hit_ids),
        "hit_ids": entry.hit_ids,
        "hit_scores": entry.hit_scores,
        "duration_ms": struct.unpack("f", struct.pack("f", entry.duration_ms))[0],
        "user_id": entry.user_id,
        "api_key_id": entry.api_key_id,
        "conversation_id": entry.conversation_id if conversation_kept else None,
    }


def _stored(row: RetrievalQuery) -> dict[str, Any]:
    """The row's columns that `_as_stored` predicts (not its id or `updated_at`)."""
    return {name: getattr(row, name) for name in STORED}


async def test_a_batch_is_one_insert_per_organization_of_one_text_whatever_its_size(
    app_with: Any, world: World, stranger: World, app_database: Database, database: Database
) -> None:
    app, _ = await app_with(batch_size=1000, flush_seconds=3600)
    org, other = world.organization.id, stranger.organization.id
    batches = [
        [_call(org, n) for n in range(3)],
        [_call(org, n) for n in range(10, 17)] + [_call(other, n) for n in range(20, 22)],
    ]

    sent_per_batch = []
    for batch in batches:
        with history_inserts(app_database.engine) as sent:
            for entry in batch:
                app.state.retrieval.record(entry)
            await app.state.retrieval.flush()
        sent_per_batch.append(sent)

    assert [len(sent) for sent in sent_per_batch] == [1, 2]
    every = [insert for sent in sent_per_batch for insert in sent]
    assert [many for _, many in every] == [False, False, False]
    assert len({statement for statement, _ in every}) == 1
    assert len(await history(database, world)) == 10
    assert len(await history(database, stranger)) == 2


async def test_every_row_holds_exactly_its_call(
    app_with: Any, gql: GraphQLClient, world: World, stranger: World, database: Database
) -> None:
    app, _ = await app_with(batch_size=1000, flush_seconds=3600)
    org = world.organization.id
    ours = await _conversation(gql, world.viewer.token)
    theirs = await _conversation(gql, stranger.editor.token)
    filters = {
        "collectionId": str(uuid.UUID(int=5)),
        "includeDescendants": True,
        "tagIds": [str(uuid.UUID(int=6)), str(uuid.UUID(int=7))],
        "status": "PUBLISHED",
        "note": 'Größe ✓ "quoted"',
    }
    mixed = [
        _call(org, 0, conversation_id=ours, filters=filters),
        _call(org, 1, conversation_id=theirs, hit_ids=[]),
        _call(org, 2, conversation_id=uuid.UUID(int=9), hit_ids=HITS[:5], query_text=""),
        _call(org, 3, hit_ids=HITS[2:3], id=uuid.UUID(int=42), duration_ms=0.04),
        _call(
            org,
            4,
            kind="similar",
            query_text=None,
            source_node_id=uuid.UUID(int=11),
            filters={"source": "node", "nodeTypes": ["concept", "person"]},
            hit_ids=HITS[::-1],
            user_id=None,
            api_key_id=uuid.UUID(int=12),
            conversation_id=ours,
        ),
        _call(org, 5, kind="similar", query_text=None, filters={"source": "vector"}, hit_ids=[]),
        _call(org, 6, created_at=(AT + timedelta(seconds=6)).astimezone(AHEAD)),
    ]
    hitless = [_call(org, n, hit_ids=[]) for n in range(7, 10)]

    for batch in (mixed, hitless):
        for entry in batch:
            app.state.retrieval.record(entry)
        await app.state.retrieval.flush()

    rows = await history(database, world)
    expected = [_as_stored(e, e.conversation_id == ours) for e in mixed + hitless]
    assert [_stored(row) for row in rows] == expected
    assert rows[3].id == uuid.UUID(int=42)
    assert len({row.id for row in rows}) == len(rows)
