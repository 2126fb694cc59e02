"""The context of a websocket: one per socket, shared by the operations it carries, each of
which still gets an operation (connection, transaction) and loaders of its own.

Strawberry makes one context per socket and runs each operation in a task of its own, so
the operation and loaders live in a context variable, which each task sets for itself (the
tasks graphql-core starts for fields inherit it): two subscriptions on one socket never
share a connection. A subscription's event is read in a fresh read-only snapshot that
begins by re-authenticating the socket's credential (a revoked session or a lost role
shows at once).
"""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from graph.context import Context, Viewer, viewer_for
from graph.core.loaders import Loaders
from graph.operation import Operation
from persistence.user import tokens

FORBIDDEN = 4403
EXPIRED = "the session expired or was revoked"
UNAVAILABLE_CLOSE = 4503
"""The database could not be reached to check `connection_init`'s credential: like HTTP's
503, nothing is wrong with the client's request, so it should reconnect after a while."""
UNAVAILABLE_REASON = "Service unavailable"


@dataclass(frozen=True)
class _Current:
    owner: Any
    operation: Operation
    loaders: Loaders


_CURRENT: ContextVar[_Current | None] = ContextVar("khub_socket_operation", default=None)


class SocketContext(Context):
    """A websocket's context: its credential comes from `connection_init` or the upgrade."""

    FORBIDDEN = FORBIDDEN
    connection_params: dict[str, Any] | None = None  # set by Strawberry on connection_init
    acknowledged = False  # past `connection_init`

    @property  # type: ignore[override]
    def operation(self) -> Operation:
        return self._current().operation

    @operation.setter
    def operation(self, value: Operation) -> None:
        self._install(value)

    @property  # type: ignore[override]
    def loaders(self) -> Loaders:
        return self._current().loaders

    @loaders.setter
    def loaders(self, value: Loaders) -> None:
        pass  # made with each operation (`_install`)

    def _current(self) -> _Current:
        current = _CURRENT.get()
        if current is None or current.owner is not self:
            current = self._install(Operation(self.db))
        return current

    def _install(self, operation: Operation) -> _Current:
        current = _Current(self, operation, Loaders(self))
        _CURRENT.set(current)
        return current

    def forget_operation(self) -> None:
        """Operations the socket runs later (in tasks made from this one) start afresh."""
        _CURRENT.set(None)

    async def authenticate(self) -> None:
        """Each operation on the socket authenticates its credential again, as a request
        would: one revoked since `connection_init` stops working at once (and closes the
        socket with 4403, as it does for a subscription)."""
        self.authenticated = False
        await super().authenticate()
        if self.bearer() is not None and not self.viewer.is_authenticated and self.acknowledged:
            await self.close_with(FORBIDDEN, EXPIRED)

    def bearer(self) -> str | None:
        """`{"authorization": "Bearer …"}` or `{"token": "…"}` in `connection_init` (what a
        browser can send), else the upgrade's Authorization header."""
        params = self.connection_params or {}
        token = params.get("token")
        if isinstance(token, str) and token.strip():
            return token.strip()
        header = params.get("authorization") or params.get("Authorization")
        if isinstance(header, str):
            return header[7:].strip() or None if header[:7].lower() == "bearer " else None
        return super().bearer()

    def begin_event(self) -> Operation:
        """A fresh operation for this task, to read one event in (`refresh` begins it)."""
        return self._install(Operation(self.db)).operation

    async def refresh(self, operation: Operation) -> bool:
        """Begin `operation`'s read-only snapshot with the statement that re-authenticates
        the socket's credential; False when it no longer holds (expired, revoked, account
        deactivated) or now opens another organization."""
        secret = self.bearer()
        parsed = tokens.parse(secret) if secret else None
        if secret is None or parsed is None:
            return False
        row = await operation.authenticate(
            parsed.organization_id,
            api_key=parsed.kind == tokens.API_KEY_PREFIX,
            secret_hash=tokens.hash_secret(secret),
        )
        viewer: Viewer = viewer_for(row, secret if parsed.kind == tokens.SESSION_PREFIX else None)
        operation.identify(viewer.organization_id)
        if viewer.organization_id is None or viewer.organization_id != self.organization_id:
            return False
        self.viewer = viewer
        return True

    @property
    def organization_id(self) -> uuid.UUID | None:
        return self.viewer.organization_id

    async def end_operation(self) -> None:
        """Give back this task's connection, if it opened one."""
        current = _CURRENT.get()
        if current is not None and current.owner is self:
            await current.operation.finish(commit=False)

    async def close_with(self, code: int, reason: str) -> None:
        """Close the socket: its credential no longer holds (4403), or it reads too slowly."""
        with contextlib.suppress(Exception):
            await self.request.close(code=code, reason=reason)  # type: ignore[attr-defined]
