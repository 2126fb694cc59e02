"""Application-made ids: UUIDv7 layout, strictly increasing within the process, one at a
time (`new_id`) or in bulk (`new_ids`)."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from typing import Any

from persistence import ids
from persistence.ids import new_id, new_ids


def _millis(made: uuid.UUID) -> int:
    return made.int >> 80


def test_new_ids_are_strictly_increasing_and_after_and_before_new_id() -> None:
    before = new_id()
    bulk = new_ids(2_000)
    after = new_id()

    made = [before, *bulk, after]
    assert len(bulk) == 2_000
    assert all(a < b for a, b in itertools.pairwise(made))


def test_new_ids_have_the_uuidv7_layout_and_the_current_millisecond() -> None:
    started = time.time_ns() // 1_000_000

    made = [*new_ids(50), new_id()]

    finished = time.time_ns() // 1_000_000
    assert {m.version for m in made} == {7}
    assert {m.variant for m in made} == {uuid.RFC_4122}  # the variant bits are 0b10
    assert all(started <= _millis(m) <= finished + 1 for m in made)


def test_new_ids_of_nothing_is_empty() -> None:
    assert new_ids(0) == []


def test_an_id_after_a_full_random_counter_moves_on_to_the_next_millisecond(
    monkeypatch: Any,
) -> None:
    """RFC 9562 §6.2: on counter rollover the timestamp moves on; the carry must never reach
    the version bits."""
    ahead = time.time_ns() // 1_000_000 + 60_000  # the last id was made a minute ahead
    monkeypatch.setattr(ids, "_last", (ahead << 74) | ((1 << 74) - 1))  # its counter all ones
    last = uuid.UUID(int=(ahead << 80) | (0x7 << 76) | (0xFFF << 64) | (0b10 << 62) | (2**62 - 1))

    single, *bulk = [new_id(), *new_ids(3)]

    assert single > last
    assert single.version == 7 and single.variant == uuid.RFC_4122
    assert _millis(single) == ahead + 1
    assert single.int & ((1 << 76) - 1) & ~(0b11 << 62) == 0  # rand_a and rand_b from zero
    assert [m.version for m in bulk] == [7, 7, 7]
    assert all(a < b for a, b in itertools.pairwise([single, *bulk]))


def test_ids_made_by_threads_at_once_are_all_distinct() -> None:
    made: list[list[uuid.UUID]] = []
    start = threading.Barrier(4)

    def make() -> None:
        start.wait()
        mine = [new_id() if n % 2 else new_ids(50)[-1] for n in range(200)]
        assert all(a < b for a, b in itertools.pairwise(mine))
        made.append(mine)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(made) == 4
    assert len({m for mine in made for m in mine}) == 800
