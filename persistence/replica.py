"""The read replica: its engine, and whether reads may go to it right now.

A streaming replica (a hot standby) answers read-only transactions. Whether it may is
decided in the background, not per request: a watcher asks the replica for its replay lag
every `KHUB_REPLICA_CHECK_MS`, and reads go to it only while it answers and lags less than
`KHUB_REPLICA_MAX_LAG_MS`. A request that finds it gone (`lost`) sends it out of use until
the watcher sees it back and caught up. See docs/decisions.md, "Read replica".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

REPLAY_LAG_MS = text(
    """
    SELECT CASE
      WHEN NOT pg_is_in_recovery() THEN 0
      WHEN pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn()
           AND EXISTS (SELECT FROM pg_stat_wal_receiver) THEN 0
      ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000,
                    'Infinity')
    END::float8
    """
)
"""How far behind the primary the replica's data is, in milliseconds. A standby that has
replayed all it received from a live stream is current however long ago the primary last
wrote (after a restart it may have replayed more than the stream has resent yet); one whose
stream is gone ages with its last replayed transaction, as does one with WAL still to
replay (which overstates the lag for a moment after a quiet spell: reads then go to the
primary a little early, never late). A server that is
not in recovery (promoted, or the primary itself) is current by definition."""


def replica_app_url(replica_url: str, app_url: str) -> str:
    """The app's URL on the replica: the replica's server and database with the app's login
    role and password, which a physical copy shares with the primary."""
    app = make_url(app_url)
    replica = make_url(replica_url).set(username=app.username, password=app.password)
    return replica.render_as_string(hide_password=False)


class Replica:
    """The replica's engine and its health, as the watcher last saw it."""

    def __init__(self, engine: AsyncEngine, *, max_lag_ms: int, check_ms: int) -> None:
        self.engine = engine
        self.max_lag_ms = max_lag_ms
        self.check_ms = check_ms
        self.usable = False  # until a check says so
        self.lag_ms: float | None = None
        self._watcher: asyncio.Task[None] | None = None

    def lost(self, error: BaseException) -> None:
        """A request could not use it: out of use until the watcher sees it back."""
        if self.usable:
            log.warning("the read replica is unavailable (%s): reading from the primary", error)
        self.usable = False

    async def check(self) -> bool:
        """Ask the replica for its lag once, and decide whether reads may go to it."""
        try:
            async with asyncio.timeout(max(self.check_ms / 1000, 1.0)):
                async with self.engine.connect() as conn:
                    self.lag_ms = float(await conn.scalar(REPLAY_LAG_MS))
        except Exception as exc:  # down, restarting, unreachable: read from the primary
            self.lag_ms = None
            self.lost(exc)
            return False
        usable = self.lag_ms <= self.max_lag_ms and not math.isinf(self.lag_ms)
        if usable != self.usable:
            if usable:
                log.info("the read replica is back (lag %.0f ms): reading from it", self.lag_ms)
            else:
                log.warning(
                    "the read replica lags %.0f ms (limit %d): reading from the primary",
                    self.lag_ms,
                    self.max_lag_ms,
                )
        self.usable = usable
        return usable

    async def start(self) -> None:
        """Check once now, then keep checking in the background until `stop`."""
        if not await self.check():
            log.warning("the read replica is not in use yet: reading from the primary")
        self._watcher = asyncio.create_task(self._watch(), name="khub-replica-watcher")

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(max(self.check_ms, 100) / 1000)
            await self.check()

    async def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
            self._watcher = None
        await self.engine.dispose()
