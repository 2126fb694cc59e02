"""Application-generated, time-ordered UUIDs (UUIDv7 layout, RFC 9562) for index locality."""

from __future__ import annotations

import os
import threading
import time
import uuid

_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_lock = threading.Lock()
_last = 0


def new_id() -> uuid.UUID:
    """A UUIDv7: 48 bits of Unix milliseconds, then random bits.

    Ids made by this process are strictly increasing, even within one millisecond (RFC 9562
    §6.2, method 2: the random part is incremented), so new rows append to the index.
    """
    global _last
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    candidate = (millis << 80) | ((rand >> 62) & 0xFFF) << 64 | (rand & ((1 << 62) - 1))
    with _lock:
        if candidate <= _last & ~_VERSION_AND_VARIANT:
            candidate = (_last & ~_VERSION_AND_VARIANT) + 1
            if candidate & (1 << 62):  # carry out of rand_b: move into rand_a
                candidate = (candidate & ~((1 << 62) - 1)) + (1 << 64)
        _last = candidate | _VERSION_AND_VARIANT
        return uuid.UUID(int=_last)
