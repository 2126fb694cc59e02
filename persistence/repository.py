"""The generic async repository every domain's repository builds on.

Every statement is scoped to the caller's organization. No method runs one statement per
row, and none commits: the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, any_, bindparam, func, insert, or_, select, tuple_
from sqlalchemy import delete as sql_delete
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from persistence.base import Base
from persistence.errors import DomainError, NotFound, ValidationError, VersionConflict, translate
from persistence.ids import new_id
from persistence.pagination import Order, Page, Window, decode_cursor, encode_cursor
from persistence.scope import Scope

M = TypeVar("M", bound=Base)

DEFAULT_ORDER = Order()


def uuid_array(name: str, values: Sequence[uuid.UUID] | ColumnElement[Any]) -> Any:
    """A single `uuid[]` parameter, so `= ANY(...)` is one cached statement for any list size
    (a parameter the compiled read path binds itself passes through)."""
    if isinstance(values, ColumnElement):
        return values
    return bindparam(name, list(values), type_=ARRAY(UUID(as_uuid=True)))


def given(value: Any) -> bool:
    """A filter value the caller gave: neither absent nor the empty string. The compiled read
    path passes bound parameters here, which always count as given (`if value:` would ask
    SQLAlchemy for a clause's truth)."""
    return value is not None and not (isinstance(value, str) and value == "")


def contains_text(column: Any, needle: Any) -> ColumnElement[bool]:
    """`column` contains `needle` ignoring case, every character literally (`%` and `_` too:
    not a LIKE pattern). The needle may be a value or a bound parameter: the lowering happens
    in SQL, for every caller alike."""
    return func.strpos(func.lower(column), func.lower(needle)) > 0


async def execute_write(session: AsyncSession, stmt: Any, params: Any = None) -> Any:
    """Execute a write, turning constraint violations into domain errors."""
    try:
        return await session.execute(stmt, params, execution_options={"populate_existing": True})
    except DBAPIError as exc:
        error = translate(exc)
        if error is None:
            raise
        raise error from exc


class Repository(Generic[M]):
    """Reads and writes of one tenant table, confined to `scope.organization_id`."""

    model: ClassVar[type[Base]]
    entity: ClassVar[str]
    sort_keys: ClassVar[dict[str, InstrumentedAttribute[Any]]] = {}

    def __init__(self, session: AsyncSession, scope: Scope) -> None:
        self.session = session
        self.scope = scope

    # -- reading -------------------------------------------------------------------------

    @property
    def soft_deletes(self) -> bool:
        return hasattr(self.model, "deleted_at")

    def visible(self) -> list[ColumnElement[bool]]:
        """Row visibility beyond the organization; documents narrow it for PRIVATE rows."""
        return []

    def filters(self, filter: Any) -> list[ColumnElement[bool]]:
        """The WHERE clauses of a domain filter object; domains override this."""
        return []

    def select(self, *, include_deleted: bool = False, filter: Any = None) -> Select[Any]:
        """The organization-scoped, visibility-filtered base query of this table."""
        model: Any = self.model
        clauses = [model.organization_id == self.scope.organization_id, *self.visible()]
        if self.soft_deletes and not include_deleted:
            clauses.append(model.deleted_at.is_(None))
        if filter is not None:
            clauses.extend(self.filters(filter))
        return select(model).where(*clauses)

    async def get_many(
        self, ids: Sequence[uuid.UUID], *, include_deleted: bool = False
    ) -> list[M | None]:
        """Rows for `ids` in the order asked, None where missing or invisible; one statement."""
        if not ids:
            return []
        model: Any = self.model
        stmt = self.select(include_deleted=include_deleted).where(
            model.id == any_(uuid_array("ids", ids))
        )
        rows = (await self.session.scalars(stmt)).all()
        by_id = {row.id: row for row in rows}
        return [by_id.get(i) for i in ids]  # type: ignore[misc]

    async def get(self, id: uuid.UUID, *, include_deleted: bool = False) -> M:
        """One row, or NotFound."""
        (row,) = await self.get_many([id], include_deleted=include_deleted)
        if row is None:
            raise NotFound(self.entity, id)
        return row

    async def count(self, *, filter: Any = None, include_deleted: bool = False) -> int:
        """How many rows match; only run when a client asks for totalCount."""
        stmt = self.select(include_deleted=include_deleted, filter=filter)
        return await self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    def _sort_key(self, order: Order) -> InstrumentedAttribute[Any]:
        key = self.sort_keys.get(order.field)
        if key is None:
            allowed = ", ".join(sorted(self.sort_keys))
            raise ValidationError("orderBy", f"cannot order by {order.field}; use one of {allowed}")
        return key

    async def page(
        self,
        window: Window,
        *,
        order: Order = DEFAULT_ORDER,
        filter: Any = None,
        include_deleted: bool = False,
    ) -> Page[M]:
        """One keyset page: `first`/`after` forwards or `last`/`before` backwards; one statement."""
        window.validate()
        model: Any = self.model
        key = self._sort_key(order)
        types = (key.type.python_type, uuid.UUID)
        backwards = window.backwards
        descending = order.descending != backwards
        stmt = self.select(include_deleted=include_deleted, filter=filter)
        for argument, cursor in (("after", window.after), ("before", window.before)):
            if cursor is None:
                continue
            value, id = decode_cursor(cursor, types, argument=argument)
            pair = (key, model.id)
            after_this = (argument == "after") != order.descending
            stmt = stmt.where(
                _row_gt(pair, (value, id)) if after_this else _row_lt(pair, (value, id))
            )
        direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
        stmt = stmt.order_by(direction(key), direction(model.id)).limit(window.size + 1)
        rows = list((await self.session.scalars(stmt)).all())
        more = len(rows) > window.size
        rows = rows[: window.size]
        if backwards:
            rows.reverse()
        cursors = [encode_cursor((getattr(row, key.key), row.id)) for row in rows]
        return Page(
            items=rows,
            cursors=cursors,
            has_next_page=more if not backwards else window.before is not None,
            has_previous_page=more if backwards else window.after is not None,
        )

    async def first_per(
        self,
        column: str,
        keys: Sequence[uuid.UUID],
        *,
        limit: int,
        order: Order = DEFAULT_ORDER,
        filter: Any = None,
    ) -> dict[uuid.UUID, Page[M]]:
        """The first `limit` rows for each key of `column` (e.g. each parent), in one statement.

        A window function numbers the rows of each key; one extra row per key tells whether
        that key has a next page.
        """
        model: Any = self.model
        key = self._sort_key(order)
        group = getattr(model, column)
        direction = (lambda c: c.desc()) if order.descending else (lambda c: c.asc())
        number = (
            func.row_number()
            .over(partition_by=group, order_by=(direction(key), direction(model.id)))
            .label("row_number")
        )
        ranked = (
            self.select(filter=filter)
            .where(group == any_(uuid_array("keys", keys)))
            .add_columns(number)
            .subquery()
        )
        row = aliased(model, ranked)
        stmt = (
            select(row)
            .where(ranked.c.row_number <= limit + 1)
            .order_by(ranked.c[group.key], ranked.c.row_number)
        )
        grouped: dict[uuid.UUID, list[M]] = {k: [] for k in keys}
        for item in (await self.session.scalars(stmt)).all():
            grouped[getattr(item, column)].append(item)
        return {
            k: Page(
                items=rows[:limit],
                cursors=[encode_cursor((getattr(r, key.key), r.id)) for r in rows[:limit]],
                has_next_page=len(rows) > limit,
                has_previous_page=False,
            )
            for k, rows in grouped.items()
        }

    async def count_per(
        self, column: str, keys: Sequence[uuid.UUID], *, filter: Any = None
    ) -> dict[uuid.UUID, int]:
        """How many rows each key of `column` has, in one GROUP BY statement."""
        model: Any = self.model
        group = getattr(model, column)
        counted = (
            self.select(filter=filter)
            .where(group == any_(uuid_array("keys", keys)))
            .with_only_columns(group, func.count())
            .group_by(group)
        )
        found = {group_key: n for group_key, n in await self.session.execute(counted)}
        return {k: found.get(k, 0) for k in keys}

    # -- writing -------------------------------------------------------------------------

    async def _run(self, stmt: Any, params: Any = None) -> Any:
        return await execute_write(self.session, stmt, params)

    def _check_lengths(self, values: dict[str, Any]) -> None:
        """Strings longer than their column allows, named by field (the database would only
        say that *some* value was too long)."""
        columns = self.model.__table__.columns
        for name, value in values.items():
            column = columns.get(name)
            limit = getattr(column.type, "length", None) if column is not None else None
            if isinstance(value, str) and limit is not None and len(value) > limit:
                raise ValidationError(name, f"{name.replace('_', ' ')} is longer than {limit}")

    def _new_row(self, values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(self.model.__table__.columns.keys()) - {"metadata_"}
        if unknown:
            raise ValidationError(sorted(unknown)[0], f"unknown field {sorted(unknown)[0]}")
        self._check_lengths(values)
        return {"id": new_id(), **values, "organization_id": self.scope.organization_id}

    async def create(self, **values: Any) -> M:
        """Insert one row and return it as stored (defaults and generated columns filled)."""
        (row,) = await self.create_many([values])
        return row

    async def create_many(self, rows: Sequence[dict[str, Any]]) -> list[M]:
        """Insert many rows in one statement, returned in the order given."""
        if not rows:
            return []
        values = [self._new_row(dict(r)) for r in rows]
        stmt = insert(self.model).returning(self.model, sort_by_parameter_order=True)
        result = await self._run(stmt, values)
        return list(result.scalars().all())

    async def _missing_or_conflict(
        self, id: uuid.UUID, expected_version: int | None
    ) -> DomainError:
        """Why an update matched no row: gone, or changed since the caller read it."""
        model: Any = self.model
        current = await self.session.scalar(
            select(model.version).where(
                model.organization_id == self.scope.organization_id,
                model.id == id,
                *self.visible(),
                *([model.deleted_at.is_(None)] if self.soft_deletes else []),
            )
        )
        if current is None or expected_version is None:
            return NotFound(self.entity, id)
        return VersionConflict(self.entity, id, current)

    async def update(self, id: uuid.UUID, *, expected_version: int | None, **changes: Any) -> M:
        """Apply `changes` if the row is still at `expected_version`; bump the version.

        One statement on success. A stale version raises VersionConflict with the current one;
        `expected_version=None` is for internal bookkeeping that must not conflict.
        """
        model: Any = self.model
        clauses = [model.organization_id == self.scope.organization_id, model.id == id]
        clauses.extend(self.visible())
        if self.soft_deletes:
            clauses.append(model.deleted_at.is_(None))
        if expected_version is not None:
            clauses.append(model.version == expected_version)
        self._check_lengths(changes)
        values = dict(changes)
        if hasattr(model, "version"):
            values["version"] = model.version + 1
        stmt = sql_update(model).where(*clauses).values(**values).returning(model)
        row = (await self._run(stmt)).scalars().first()
        if row is None:
            raise await self._missing_or_conflict(id, expected_version)
        return row

    async def soft_delete(self, id: uuid.UUID, *, expected_version: int | None = None) -> M:
        """Mark a live row deleted; it disappears from default reads."""
        # clock_timestamp, not now(): two deletions in one transaction stay distinguishable
        return await self._set_deleted(id, func.clock_timestamp(), expected_version, live=True)

    async def restore(self, id: uuid.UUID, *, expected_version: int | None = None) -> M:
        """Bring a soft-deleted row back."""
        return await self._set_deleted(id, None, expected_version, live=False)

    async def _set_deleted(
        self, id: uuid.UUID, value: Any, expected_version: int | None, *, live: bool
    ) -> M:
        model: Any = self.model
        if not self.soft_deletes:
            raise ValidationError("id", f"{self.entity} rows cannot be soft-deleted")
        state = model.deleted_at.is_(None) if live else model.deleted_at.is_not(None)
        clauses = [model.organization_id == self.scope.organization_id, model.id == id, state]
        clauses.extend(self.visible())
        if expected_version is not None:
            clauses.append(model.version == expected_version)
        stmt = (
            sql_update(model)
            .where(*clauses)
            .values(deleted_at=value, version=model.version + 1)
            .returning(model)
        )
        row = (await self._run(stmt)).scalars().first()
        if row is None:
            exists = await self.session.scalar(
                select(model.version).where(
                    model.organization_id == self.scope.organization_id,
                    model.id == id,
                    state,
                    *self.visible(),
                )
            )
            if exists is None:
                raise NotFound(self.entity, id)
            raise VersionConflict(self.entity, id, exists)
        return row

    async def purge(self, id: uuid.UUID) -> None:
        """Delete a row for good (admins only, decided by the caller)."""
        model: Any = self.model
        stmt = (
            sql_delete(model)
            .where(model.organization_id == self.scope.organization_id, model.id == id)
            .returning(model.id)
        )
        if (await self._run(stmt)).scalar() is None:
            raise NotFound(self.entity, id)


def _row_gt(columns: tuple[Any, Any], values: tuple[Any, Any]) -> ColumnElement[bool]:
    """`(a, b) > (x, y)` as a row comparison, which PostgreSQL serves from a composite index."""
    return tuple_(*columns) > tuple_(*values)


def _row_lt(columns: tuple[Any, Any], values: tuple[Any, Any]) -> ColumnElement[bool]:
    return tuple_(*columns) < tuple_(*values)


class PrivateToOwner:
    """Row visibility for tables with `visibility` and `owner_id`: PRIVATE rows exist only
    for their owner and admins — absent from reads, counts and updates for everyone else."""

    scope: Scope
    model: ClassVar[type[Base]]

    def visible(self) -> list[ColumnElement[bool]]:
        from persistence.collection.models import Visibility

        model: Any = self.model
        if self.scope.is_admin:
            return []
        shared = model.visibility == Visibility.ORGANIZATION
        if self.scope.user_id is None:
            return [shared]
        return [or_(shared, model.owner_id == self.scope.user_id)]
