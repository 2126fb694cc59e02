"""Keyset pagination: opaque cursors over (sort key, id), in both directions."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from persistence.errors import ValidationError

T = TypeVar("T")

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Order:
    """A sort key by name and its direction; the id always breaks ties in the same direction."""

    field: str = "created_at"
    descending: bool = False


@dataclass
class Page(Generic[T]):
    """One page of rows, with the cursor of each and whether more lie on either side."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


@dataclass(frozen=True)
class Window:
    """What a client asked for: `first`/`after` forwards or `last`/`before` backwards."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None
    default_size: int = 20
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def backwards(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)

    @property
    def size(self) -> int:
        size = self.last if self.backwards else self.first
        return self.default_size if size is None else size

    def validate(self) -> None:
        if self.first is not None and self.last is not None:
            raise ValidationError("first", "pass either first or last, not both")
        for name in ("first", "last"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise ValidationError(name, f"{name} must be between 0 and {MAX_PAGE_SIZE}")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def encode_cursor(values: tuple[Any, ...]) -> str:
    """Opaque to clients: URL-safe base64 of the JSON key."""
    # ensure_ascii=False: PostgreSQL writes JSON strings so, and the compiled path's cursors
    # must be byte-identical (decoding accepts both forms)
    text = json.dumps([_plain(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[type, ...], *, argument: str) -> tuple[Any, ...]:
    """The key a cursor stands for, typed like the sort columns; a ValidationError if forged."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError("wrong shape")
        return tuple(_typed(v, t) for v, t in zip(values, types, strict=True))
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise ValidationError(argument, f"{argument} is not a valid cursor") from exc


def _typed(value: Any, kind: type) -> Any:
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is uuid.UUID:
        return uuid.UUID(value)
    if issubclass(kind, Enum):
        return kind(value)
    if kind is float and isinstance(value, int | float):
        return float(value)
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}")
    return value
