"""What login throttling and rate limiting share: counters in PostgreSQL, keyed by who and
where, each checked and counted by one `INSERT … ON CONFLICT DO UPDATE … RETURNING` before
the work it guards, on the database's clock, so every instance sees the same counts and
concurrent requests queue on a key's row instead of slipping past its limit. A refused
attempt counts nothing more. See docs/decisions.md, "Login throttling" and "Rate limits".

The policies differ and keep their own tables and statements: `persistence/user/throttle.py`
backs off per login after failures; `persistence/rate_limits.py` spends cost units per
principal in fixed windows.
"""

from __future__ import annotations

from dataclasses import dataclass

UNKNOWN_ADDRESS = "unknown"
ADDRESS_MAX = 64


def address_key(client_address: str | None) -> str:
    """A client address as keys store it (an unknown peer is one key of its own)."""
    return (client_address or UNKNOWN_ADDRESS)[:ADDRESS_MAX]


def seconds_until(moment: str) -> str:
    """SQL for the whole seconds (at least 1) from now until `moment`: a Retry-After."""
    return f"greatest(ceil(extract(epoch FROM {moment} - now())), 1)::int"


@dataclass(frozen=True)
class Verdict:
    """A key's answer to one attempt."""

    admitted: bool
    retry_after: int = 0
    """Seconds until the key admits again (0 when admitted)."""
