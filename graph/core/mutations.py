"""The frame every mutation runs in: a savepoint, typed errors, and its audit event.

A mutation's work runs inside a SAVEPOINT on the operation's transaction. A domain error
(bad input, not found, version conflict …) rolls the savepoint back, so a refused mutation
changes nothing, and comes back as a member of the mutation's result union. The audit
event is written by the work itself, in the same transaction as the change.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types import Info

from graph.core.errors import Error, from_domain
from graph.core.input_check import refusal_for
from persistence.audit.repository import AuditRepository
from persistence.errors import DomainError, translate
from persistence.scope import Scope

T = TypeVar("T")


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | datetime):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def snapshot(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of a row, JSON-safe, taken before the row object changes."""
    if row is None:
        return {}
    return {name: _plain(getattr(row, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The changed fields as `{field: {"old": …, "new": …}}`, for the audit row."""
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in {*before, *after}
        if before.get(name) != after.get(name)
    }


@dataclass
class MutationContext:
    """What a mutation's work gets: the session, the caller's scope, and an audit writer."""

    session: AsyncSession
    scope: Scope
    context: Any

    @property
    def viewer(self) -> Any:
        return self.context.viewer

    async def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: uuid.UUID | None,
        changes: dict[str, Any] | None = None,
    ) -> None:
        await AuditRepository(self.session, self.scope).record(
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            changes=changes,
            actor_id=self.viewer.user_id,
            request_id=self.context.request_id,
            client_address=self.context.client_address,
        )


async def run(info: Info, work: Callable[[MutationContext], Awaitable[T]]) -> T | Error:
    """Run `work` in a savepoint; a DomainError rolls it back and becomes an Error type.

    So does a data or integrity error of the database that escaped a repository (SQLSTATE
    classes 22 and 23, via `translate`); any other database error stays a bug."""
    context = info.context
    if (refused := refusal_for(info)) is not None:
        return refused
    async with context.operation.session() as session:
        try:
            async with session.begin_nested():
                return await work(MutationContext(session, context.viewer.scope(), context))
        except DomainError as error:
            return from_domain(error)
        except DBAPIError as exc:
            if (error := translate(exc)) is None:
                raise
            return from_domain(error)
