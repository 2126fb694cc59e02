"""Domain errors raised by repositories, and the one place driver errors become them."""

from __future__ import annotations

import re
import uuid
from functools import cache

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, Table, UniqueConstraint
from sqlalchemy.exc import DBAPIError


class DomainError(Exception):
    """An expected failure the caller can show to a user; never a bug."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    def __init__(self, entity: str, id: uuid.UUID | str | None = None, *, field: str | None = None):
        super().__init__(self.worded(entity, id))
        self.entity = entity
        self.id = id
        self.field = field

    @staticmethod
    def worded(entity: str, shown_id: object | None) -> str:
        """The message, with the id as the caller knows it (the API shows global ids)."""
        detail = f" {shown_id}" if shown_id is not None else ""
        return f"{entity}{detail} was not found"


class AlreadyExists(DomainError):
    def __init__(self, entity: str, field: str) -> None:
        super().__init__(f"a {entity} with this {field} already exists")
        self.entity = entity
        self.field = field


class ValidationError(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class VersionConflict(DomainError):
    def __init__(self, entity: str, id: uuid.UUID, current_version: int) -> None:
        super().__init__(self.worded(entity, id, current_version))
        self.entity = entity
        self.id = id
        self.current_version = current_version

    @staticmethod
    def worded(entity: str, shown_id: object, current_version: int) -> str:
        """The message, with the id as the caller knows it (the API shows global ids)."""
        return (
            f"{entity} {shown_id} was changed by someone else: it is at version {current_version}"
        )


class StillReferenced(ValidationError):
    """A row cannot be purged while rows that must not lose it still point at it."""


_SQLSTATE_UNIQUE = "23505"
_SQLSTATE_FOREIGN_KEY = "23503"
_SQLSTATE_RESTRICT = "23001"
_SQLSTATE_CHECK = "23514"
_SQLSTATE_NOT_NULL = "23502"
_SQLSTATE_EXCLUSION = "23P01"
# Class 22 (data exception) states that a value sent by a caller causes, said without the
# driver's text. Not all of class 22: 22023 is also a bad server setting (a missing role).
_BAD_VALUE_MESSAGES = {
    "22001": "a value is longer than its field allows",
    "22003": "a number is out of range",
    "22007": "a date or time is not valid",
    "22008": "a date or time is out of range",
    "22021": "a text contains a character that cannot be stored",
    "22P05": "a text contains a character that cannot be stored",
    "22P02": "a value is not valid for its type",
    "22019": "a pattern contains an invalid escape",
    "22025": "a pattern contains an invalid escape",
    "2201B": "a pattern is not a valid regular expression",
}


def _entity(table: Table) -> str:
    return table.name.removesuffix("s").replace("_", " ")


@cache
def _constraints() -> dict[str, tuple[Table, str]]:
    """Constraint or unique-index name -> (table, the column a user would blame)."""
    from persistence.models import Base

    found: dict[str, tuple[Table, str]] = {}
    for table in Base.metadata.tables.values():
        names = [c.name for c in table.columns if c.name != "organization_id"]
        for item in [*table.constraints, *table.indexes]:
            if item.name is None:
                continue
            if isinstance(item, Index | UniqueConstraint | ForeignKeyConstraint):
                columns = [c.name for c in item.columns if c.name != "organization_id"]
                field = item.info.get("field") or (columns[0] if columns else "id")
            elif isinstance(item, CheckConstraint):
                field = _first_column_in(str(item.sqltext), names)
            else:
                continue
            found[str(item.name)] = (table, field)
    return found


def _first_column_in(sql: str, names: list[str]) -> str:
    """The column a CHECK expression names first: the one a user would fix."""
    found = [(m.start(), n) for n in names if (m := re.search(rf"\b{n}\b", sql))]
    return min(found)[1] if found else "id"


def translate(exc: DBAPIError) -> DomainError | None:
    """The domain error a driver exception stands for, or None when it is a real fault.

    Integrity errors (SQLSTATE class 23) and the data errors (class 22) a caller's value
    causes are the caller's input; their messages never carry the driver's text, which may
    quote SQL, values or types."""
    driver = getattr(exc.orig, "__cause__", None) or exc.orig
    driver = getattr(exc, "driver_exception", None) or driver
    sqlstate = getattr(driver, "sqlstate", None) or ""
    constraint = getattr(driver, "constraint_name", None)
    table, field = _constraints().get(constraint or "", (None, None))
    entity = _entity(table) if table is not None else "row"
    if sqlstate == _SQLSTATE_UNIQUE:
        return AlreadyExists(entity, field or "value")
    if sqlstate in (_SQLSTATE_FOREIGN_KEY, _SQLSTATE_RESTRICT):
        detail = getattr(driver, "detail", "") or ""
        if sqlstate == _SQLSTATE_RESTRICT or "is still referenced" in detail:
            return StillReferenced("id", f"this {entity} is still referenced by other rows")
        return NotFound(field.removesuffix("_id") if field else "referenced row", field=field)
    if sqlstate == _SQLSTATE_CHECK:
        message = f"{(field or 'value').replace('_', ' ')} is not valid"
        return ValidationError(field or "input", f"{message} ({constraint})")
    if sqlstate == _SQLSTATE_NOT_NULL:
        column = getattr(driver, "column_name", None) or "input"
        return ValidationError(column, f"{column.replace('_', ' ')} is required")
    if sqlstate in _BAD_VALUE_MESSAGES:
        return ValidationError("input", _BAD_VALUE_MESSAGES[sqlstate])
    if sqlstate.startswith("23"):
        return ValidationError(field or "input", f"this {entity} breaks a rule of the data")
    return None
