"""The loop every subscription runs: wait for a change of the subscriber's organization,
read it in a fresh snapshot that re-authenticates the socket's credential, hand it on.

While no change arrives the credential is still re-checked every
`subscription_recheck_seconds`; when it no longer holds the socket closes with 4403. A
subscriber that lets its bounded queue fill up is disconnected (1013, try again later)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.types import Info

from graph.core.errors import ServiceUnavailable, Unauthenticated
from graph.operation import Operation
from graph.subscription.context import EXPIRED, SocketContext
from graph.subscription.feed import MISSED, OVERFLOWED, ChangeFeed, TooManySubscriptions
from persistence.availability import is_unavailable
from persistence.changes import Change

TRY_AGAIN_LATER = 1013
SUBSCRIPTION_LIMIT = "SUBSCRIPTION_LIMIT"


async def changes(info: Info, entity_types: frozenset[str] | None) -> AsyncIterator[Change | None]:
    """Changes to `entity_types` (to anything with None), each yielded inside a read
    snapshot of its own that ends when the next is asked for; None when the listener
    reconnected and some changes may have been missed."""
    context = info.context
    if not isinstance(context, SocketContext):
        raise Unauthenticated("subscriptions run over a websocket (graphql-transport-ws)")
    await context.end_operation()  # the subscribe step's; each event is read in its own
    feed: ChangeFeed = context.request.app.state.changes
    recheck = context.settings.subscription_recheck_seconds
    viewer = context.viewer
    principal = ("key", viewer.api_key_id) if viewer.api_key_id else ("user", viewer.user_id)
    try:
        feed.admit(principal, context.settings.max_subscriptions_per_principal)
    except TooManySubscriptions as refused:
        raise GraphQLError(str(refused), extensions={"code": SUBSCRIPTION_LIMIT}) from None
    async with feed.subscribe(viewer.organization_id, principal) as subscriber:
        checked = time.monotonic()
        while True:
            left = checked + recheck - time.monotonic()
            try:
                item = await asyncio.wait_for(subscriber.queue.get(), max(left, 0))
            except TimeoutError:
                item = None
            if item == OVERFLOWED:
                await context.close_with(TRY_AGAIN_LATER, "slow consumer: too many events queued")
                return
            if isinstance(item, Change) and entity_types and item.entity_type not in entity_types:
                continue
            operation = context.begin_event()
            checked = time.monotonic()  # changes of other kinds never postpone the check
            try:
                if not await _holds(context, operation, idle=item is None):
                    await context.close_with(context.FORBIDDEN, EXPIRED)
                    return
                if item is not None:
                    yield None if item == MISSED else item  # type: ignore[misc]
            finally:
                await operation.finish(commit=False)


async def _holds(context: SocketContext, operation: Operation, *, idle: bool) -> bool:
    """Whether the socket's credential still holds. While the database is unreachable an
    idle subscription cannot tell and waits for its next check: it survives a restart (the
    feed reports the changes it missed); an event read then fails as SERVICE_UNAVAILABLE."""
    try:
        return await context.refresh(operation)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        if idle:
            return True
        raise ServiceUnavailable() from None
