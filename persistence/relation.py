"""Relations as data: which rows of a repository belong to a parent's key, in what order.

A loader's batch and the compiled read path both read the same declaration: the batch
matches the keys with `= ANY(:keys)`, the compiler matches one parent row's column inside
a correlated subquery. Either way the rows come from the repository's scoped `select()`
(organization, soft delete, visibility), so the two paths cannot disagree about them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, any_, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from persistence.repository import Repository, uuid_array
from persistence.scope import Scope

PARENT = "parent_key"

Seed = Callable[[ColumnElement[Any]], ColumnElement[bool]]
"""Which parent keys a relation's rows are wanted for, as a condition on a key column: the
batch's `= ANY(:keys)`, or the compiled path's correlated parent. Plain relations filter
their rows by it afterwards; a `Walked` relation starts its walk from it."""


@dataclass(frozen=True)
class Through:
    """A join table between the parent and the rows (e.g. `document_tags`)."""

    model: type[Any]
    parent: str
    child: str


class RowSource:
    """Rows of a table under a parent key: what `rows()` gives, `many` or one per key."""

    many: bool

    @property
    def model(self) -> type[Any]:
        raise NotImplementedError

    def rows(
        self, session: AsyncSession | None, scope: Scope, seed: Seed | None = None
    ) -> Subquery:
        raise NotImplementedError

    def order_by(self, rows: Subquery) -> list[ColumnElement[Any]]:
        return []

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: Sequence[uuid.UUID]
    ) -> list[Any]:
        """For each key in order: its rows (`many`) or its row or None; one statement."""
        rows = self.rows(session, scope, _any_of(keys))
        entity = aliased(self.model, rows)
        stmt: Select[Any] = (
            select(entity, rows.c[PARENT])
            .where(rows.c[PARENT] == any_(uuid_array("keys", keys)))
            .order_by(*self.order_by(rows))
        )
        found: dict[uuid.UUID, list[Any]] = {k: [] for k in keys}
        for row, parent in await session.execute(stmt):
            found[parent].append(row)
        if self.many:
            return [found[k] for k in keys]
        return [found[k][0] if found[k] else None for k in keys]


@dataclass(frozen=True)
class Rows(RowSource):
    """Rows of `repository` whose `key` column equals the parent's key (`many` of them or
    one), ordered by `order` (column names, `-` for descending), optionally through a join
    table; soft-deleted rows too with `include_deleted` (a relation that records history,
    such as a document's owner)."""

    repository: type[Repository[Any]]
    key: str = "id"
    many: bool = False
    order: tuple[str, ...] = ()
    through: Through | None = None
    include_deleted: bool = False

    @property
    def model(self) -> type[Any]:
        return self.repository.model

    def rows(
        self, session: AsyncSession | None, scope: Scope, seed: Seed | None = None
    ) -> Subquery:
        """The scoped rows, with the parent's key as column `parent_key`, as a fresh alias."""
        repo = self.repository(session, scope)  # type: ignore[arg-type]
        stmt = repo.select(include_deleted=self.include_deleted)
        model: Any = repo.model
        if self.through is None:
            return stmt.add_columns(getattr(model, self.key).label(PARENT)).subquery()
        link: Any = self.through.model
        return (
            stmt.join(
                link,
                (link.organization_id == model.organization_id)
                & (getattr(link, self.through.child) == getattr(model, self.key)),
            )
            .add_columns(getattr(link, self.through.parent).label(PARENT))
            .subquery()
        )

    def order_by(self, rows: Subquery) -> list[ColumnElement[Any]]:
        ordering: list[ColumnElement[Any]] = []
        for name in self.order:
            column = rows.c[name.lstrip("-")]
            ordering.append(column.desc() if name.startswith("-") else column.asc())
        return ordering


@dataclass(frozen=True)
class OwnOrganization(RowSource):
    """The caller's organization (the tenants table is not organization-scoped): a key
    other than the caller's own organization finds nothing."""

    organization: type[Any]
    many: bool = False

    @property
    def model(self) -> type[Any]:
        return self.organization

    def rows(
        self, session: AsyncSession | None, scope: Scope, seed: Seed | None = None
    ) -> Subquery:
        model: Any = self.organization
        own = select(model, model.id.label(PARENT)).where(model.id == scope.organization_id)
        return own.subquery()


@dataclass(frozen=True)
class Walked(RowSource):
    """Rows a repository reaches by a recursive walk from each parent key (a collection's
    ancestors, the documents of its subtree). The walk starts from the seed's keys only —
    the batch's, or one correlated parent's — never from every row of the table.

    `walk` names the repository method: `(seed) -> Select` of rows with `parent_key`.
    """

    repository: type[Repository[Any]]
    walk: str
    rows_model: type[Any] | None = None
    many: bool = True
    order: tuple[str, ...] = ()

    @property
    def model(self) -> type[Any]:
        return self.rows_model or self.repository.model

    def rows(
        self, session: AsyncSession | None, scope: Scope, seed: Seed | None = None
    ) -> Subquery:
        if seed is None:
            raise ValueError("a walk starts from its parent keys")
        repo = self.repository(session, scope)  # type: ignore[arg-type]
        return getattr(repo, self.walk)(seed).subquery()  # type: ignore[no-any-return]

    def order_by(self, rows: Subquery) -> list[ColumnElement[Any]]:
        return Rows.order_by(self, rows)  # type: ignore[arg-type]


def _any_of(keys: Sequence[uuid.UUID]) -> Seed:
    return lambda column: column == any_(uuid_array("keys", keys))


@dataclass(frozen=True)
class AdminOnly(RowSource):
    """A relation only admins read (e.g. the audit trail): for anyone else it has no rows."""

    of: Rows

    @property
    def many(self) -> bool:  # type: ignore[override]
        return self.of.many

    @property
    def model(self) -> type[Any]:
        return self.of.model

    def rows(
        self, session: AsyncSession | None, scope: Scope, seed: Seed | None = None
    ) -> Subquery:
        rows = self.of.rows(session, scope, seed)
        if scope.is_admin:
            return rows
        return select(rows).where(false()).subquery()

    def order_by(self, rows: Subquery) -> list[ColumnElement[Any]]:
        return self.of.order_by(rows)


@dataclass(frozen=True)
class Values:
    """One column of a table's rows under a parent key (e.g. a user's roles), ordered by it."""

    model: type[Any]
    key: str
    value: str

    def rows(self, scope: Scope) -> Subquery:
        model: Any = self.model
        return (
            select(getattr(model, self.key).label(PARENT), getattr(model, self.value))
            .where(model.organization_id == scope.organization_id)
            .subquery()
        )

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: Sequence[uuid.UUID]
    ) -> list[list[Any]]:
        rows = self.rows(scope)
        value = rows.c[self.value]
        stmt = (
            select(rows.c[PARENT], value)
            .where(rows.c[PARENT] == any_(uuid_array("keys", keys)))
            .order_by(value)
        )
        found: dict[uuid.UUID, list[Any]] = {k: [] for k in keys}
        for parent, item in await session.execute(stmt):
            found[parent].append(item)
        return [found[k] for k in keys]


@dataclass(frozen=True)
class Count:
    """How many of a relation's rows each parent key has (e.g. a tag's documents)."""

    rows: RowSource

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: Sequence[uuid.UUID]
    ) -> list[int]:
        rows = self.rows.rows(session, scope, _any_of(keys))
        stmt = (
            select(rows.c[PARENT], func.count())
            .where(rows.c[PARENT] == any_(uuid_array("keys", keys)))
            .group_by(rows.c[PARENT])
        )
        found = {parent: n for parent, n in await session.execute(stmt)}
        return [found.get(k, 0) for k in keys]
