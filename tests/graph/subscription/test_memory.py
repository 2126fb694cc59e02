"""What an idle subscription costs: no connection (events are read in their own short
transactions) and a few KiB of memory, measured with tracemalloc."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from tests.fixtures.websocket import Socket
from tests.graph.conftest import World
from tests.graph.subscription.conftest import listening
from tests.graph.subscription.test_document_changed import DOCUMENT_CHANGED

SUBSCRIPTIONS = 100
BUDGET_BYTES = 64 * 1024  # per idle subscription, its socket's share included


async def test_an_idle_subscription_holds_no_connection_and_little_memory(
    app: Any, world: World
) -> None:
    async with Socket(app) as warm:  # the feed's listener and first-use caches
        await warm.init({"token": world.viewer.token})
        await warm.subscribe("0", DOCUMENT_CHANGED)
        await listening(app)
        pool = app.state.db.engine.pool
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        sockets = [Socket(app) for _ in range(SUBSCRIPTIONS // 2)]
        try:
            for socket in sockets:
                await socket.__aenter__()
                await socket.init({"token": world.viewer.token})
                await socket.subscribe("1", DOCUMENT_CHANGED)
                await socket.subscribe("2", DOCUMENT_CHANGED)
            await listening(app, SUBSCRIPTIONS + 1)
            gc.collect()
            per_subscription = (tracemalloc.get_traced_memory()[0] - before) / SUBSCRIPTIONS
            checked_out = pool.checkedout()
        finally:
            tracemalloc.stop()
            for socket in sockets:
                await socket.__aexit__(None, None, None)
    print(f"memory per idle subscription: {per_subscription / 1024:.1f} KiB")
    assert checked_out == 0
    assert per_subscription < BUDGET_BYTES
