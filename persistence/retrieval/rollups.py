"""A batch's rollup rows, counted for the writer (`persistence/retrieval/writer.py`).

The batch is counted once per (day, key), each hit once; each day's counts are then added
to its block of every span (`ROLLUP_SPANS`), days of one block merged (an upsert may touch
a row once per statement). So the work grows with the hits, not with hits times spans: the
writer used to increment nine counters per hit, with keys holding `uuid.UUID`s, which hash
and compare in Python.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, date
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

from persistence.retrieval.models import (
    ROLLUP_SPANS,
    SEARCH,
    RetrievalDailyCalls,
    RetrievalDailyDocument,
    RetrievalDailyDuration,
    RetrievalDailyText,
    block_start,
    duration_bucket,
    rollup_text,
)

if TYPE_CHECKING:
    from persistence.retrieval.writer import RetrievalEntry

_T = TypeVar("_T")
_K = TypeVar("_K")

Columns = dict[str, list[Any]]
"""A rollup's rows as columns (the upsert binds each as an array): key columns, then
counts."""


def columns(entries: Iterable[RetrievalEntry]) -> list[tuple[Any, tuple[str, ...], Columns]]:
    """Each rollup (model, key columns, rows) for `entries`, the per-day totals first (their
    row lock orders concurrent batches of a day) and their days in order."""
    counts = _DayCounts()
    for entry in entries:
        counts.add(entry)
    days = sorted(counts.calls)
    calls = {
        "day": days,
        "queries": [counts.calls[d] for d in days],
        "zero_hit_queries": [counts.zero_calls[d] for d in days],
    }
    durations = _empty("duration_bucket", "queries")
    for span, start, per_day in _blocks(counts.durations):
        buckets = _summed(per_day)
        _extend(durations, span, start, list(buckets), buckets.values())
    texts = _empty("text", "queries", "zero_hit_queries")
    for span, start, per_day in _blocks(counts.texts):
        searched, zero = _summed([q for q, _ in per_day]), _summed([z for _, z in per_day])
        keys = list(searched)
        _extend(texts, span, start, keys, searched.values(), [zero[k] for k in keys])
    documents = _empty("document_id", "returned")
    for span, start, per_day in _blocks(counts.documents):
        returned = _summed(per_day)
        ids = [counts.document_ids[i] for i in returned]
        _extend(documents, span, start, ids, returned.values())
    return [
        (RetrievalDailyCalls, ("day",), calls),
        (RetrievalDailyDuration, ("days", "day", "duration_bucket"), durations),
        (RetrievalDailyText, ("days", "day", "text"), texts),
        (RetrievalDailyDocument, ("days", "day", "document_id"), documents),
    ]


class _DayCounts:
    """A batch's counts per day and key, each hit counted once.

    Documents are counted by their ids' integers: a `uuid.UUID` hashes and compares in
    Python, an `int` in C, and a batch of 500 searches of 20 hits counts 10,000 hits."""

    def __init__(self) -> None:
        self.calls: Counter[date] = Counter()
        self.zero_calls: Counter[date] = Counter()
        self.durations: dict[date, Counter[int]] = {}
        self.texts: dict[date, tuple[Counter[str], Counter[str]]] = {}
        self.documents: dict[date, Counter[int]] = {}
        self.document_ids: dict[int, uuid.UUID] = {}

    def add(self, entry: RetrievalEntry) -> None:
        day = entry.created_at.astimezone(UTC).date()
        zero = not entry.hit_ids
        self.calls[day] += 1
        self.zero_calls[day] += zero
        if day not in self.durations:
            self.durations[day] = Counter()
            self.texts[day] = (Counter(), Counter())
            self.documents[day] = Counter()
        self.durations[day][duration_bucket(entry.duration_ms)] += 1
        if entry.kind == SEARCH and entry.query_text is not None:
            text = rollup_text(entry.query_text)
            searched, zero_hits = self.texts[day]
            searched[text] += 1
            zero_hits[text] += zero
            keys = list(map(_AS_INT, entry.hit_ids))
            self.documents[day].update(keys)  # counted in C
            self.document_ids.update(zip(keys, entry.hit_ids, strict=True))


_AS_INT = attrgetter("int")


def _blocks(per_day: dict[date, _T]) -> Iterator[tuple[int, date, list[_T]]]:
    """Every span's blocks that hold a day of the batch, with those days' counts."""
    for span in ROLLUP_SPANS:
        by_start: dict[date, list[_T]] = {}
        for day, counts in per_day.items():
            by_start.setdefault(block_start(day, span), []).append(counts)
        for start, days in by_start.items():
            yield span, start, days


def _summed(counters: list[Counter[_K]]) -> Counter[_K]:
    """One block's counts: its days' added up (a batch usually holds one day: as it is)."""
    if len(counters) == 1:
        return counters[0]
    total: Counter[_K] = Counter()
    for counter in counters:
        total.update(counter)
    return total


def _empty(key: str, *counts: str) -> Columns:
    """A block rollup's columns: span, block start, its key, its counts."""
    return {name: [] for name in ("days", "day", key, *counts)}


def _extend(
    columns: Columns, span: int, start: date, keys: list[Any], *counts: Iterable[int]
) -> None:
    """Add one block's rows (a key and its counts each) to a rollup's columns."""
    days, day, key, *named = columns.values()
    days.extend([span] * len(keys))
    day.extend([start] * len(keys))
    key.extend(keys)
    for column, values in zip(named, counts, strict=True):
        column.extend(values)
