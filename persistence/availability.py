"""Is an error the database being away (down, restarting, full), a collision with another
transaction (a deadlock), or a statement stopped by the timeout, rather than a bug?

The transaction it hit did not commit, so callers answer it whole — "try again" (HTTP 503,
or 409 for a collision) — instead of reporting an internal error.
"""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from sqlalchemy import exc as sa

# 08: connection exceptions; 57P01-57P03: admin shutdown, crash shutdown, cannot connect
# now (starting or stopping); 53300: too many connections.
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# 40P01: deadlock detected; 40001: serialization failure. PostgreSQL aborted the whole
# transaction so that another could go on: sent again, it would most likely succeed.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})
# 57014: query canceled, which for the app's connections is the statement timeout.
TIMEOUT_SQLSTATE = "57014"


def is_unavailable(error: BaseException | None) -> bool:
    """Whether `error`, or anything it wraps, says the database cannot be reached now."""
    return any(_says_unavailable(e) for e in _chain(error))


def is_transient_conflict(error: BaseException | None) -> bool:
    """Whether `error`, or anything it wraps, is PostgreSQL aborting the transaction for
    another one's sake (a deadlock, a serialization failure)."""
    return any(getattr(e, "sqlstate", None) in CONFLICT_SQLSTATES for e in _chain(error))


def is_timed_out(error: BaseException | None) -> bool:
    """Whether `error`, or anything it wraps, is a statement stopped by the timeout."""
    return any(getattr(e, "sqlstate", None) == TIMEOUT_SQLSTATE for e in _chain(error))


def _says_unavailable(error: BaseException) -> bool:
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(error, OSError):  # refused, reset, socket gone, connect timeout
        return True
    if isinstance(error, asyncpg.InterfaceError):
        return "connection is closed" in str(error) or "connection was closed" in str(error)
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES
    return False


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    """The error, its causes and contexts, and what SQLAlchemy wraps (`orig`)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__, getattr(current, "orig", None)]
