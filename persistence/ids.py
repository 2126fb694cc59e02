"""Application-generated, time-ordered UUIDs (UUIDv7 layout, RFC 9562) for index locality.

Ids made by this process are strictly increasing, even within one millisecond (RFC 9562
§6.2, method 2): the 74 random bits (rand_a and rand_b) count on from the last id when the
clock has not moved past it, so new rows append to the index. The state is kept packed
(48 bits of milliseconds, then the 74 counter bits, no version or variant between them), so
a carry out of the counter moves on to the timestamp, as the RFC allows on rollover.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_COUNTER_BITS = 74
_RAND_B_BITS = 62
_RAND_B = (1 << _RAND_B_BITS) - 1
_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_STEP_BYTES = 4
"""Each id after the first of `new_ids` adds 1 + a random 32-bit number: the RFC's random
increment, so a batch's ids stay hard to guess from one another."""
_lock = threading.Lock()
_last = 0  # the last id made, packed


def new_id() -> uuid.UUID:
    """A UUIDv7: 48 bits of Unix milliseconds, then random bits, later than every id this
    process made before."""
    global _last
    candidate = _packed_now(os.urandom(10))
    with _lock:
        _last = candidate if candidate > _last else _last + 1
        return _as_uuid(_last)


def new_ids(count: int) -> list[uuid.UUID]:
    """`count` UUIDv7s in strictly increasing order, with one lock and one read of the random
    source: for bulk writers, where `new_id` per row costs a lock, a system call and a
    timestamp each. Monotonic with `new_id` (they share the state)."""
    global _last
    if count <= 0:
        return []
    randomness = os.urandom(10 + _STEP_BYTES * (count - 1))
    candidate = _packed_now(randomness[:10])
    steps = memoryview(randomness)[10:].cast("I")
    with _lock:
        packed = candidate if candidate > _last else _last + 1
        made = [packed]
        for step in steps:
            packed += step + 1
            made.append(packed)
        _last = packed
    return [_as_uuid(p) for p in made]


def _packed_now(randomness: bytes) -> int:
    """The current millisecond followed by 74 random bits (from 10 random bytes)."""
    millis = time.time_ns() // 1_000_000
    return (millis << _COUNTER_BITS) | (int.from_bytes(randomness, "big") >> 6)


def _as_uuid(packed: int) -> uuid.UUID:
    """Spread the packed bits into the UUIDv7 layout: timestamp, version 7, rand_a,
    variant 0b10, rand_b."""
    millis_and_rand_a = packed >> _RAND_B_BITS
    return uuid.UUID(
        int=((millis_and_rand_a >> 12) << 80)
        | ((millis_and_rand_a & 0xFFF) << 64)
        | _VERSION_AND_VARIANT
        | (packed & _RAND_B)
    )
