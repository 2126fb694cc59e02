"""What the differential tests know of their dataset: tokens, and pools of argument values.

Every timestamp in the dataset is set from `at`, a few with whole seconds and a few with
microseconds, so the two executors are compared on instants in every form they may print.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry.relay import from_base64, to_base64

from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.pagination import encode_cursor
from persistence.user.models import Organization

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PRINCIPALS = ("viewer", "editor", "admin", "outsider")

# Strings for filters and searches: dataset words, their case variants, search syntax, edges.
WORDS = [
    "runbook",
    "Runbook",
    "postgres",
    "database migration",
    "secret",
    "ops",
    "Ops",
    "engineering",
    "notes",
    "concept",
    "person",
    "mentions",
    "depends_on",
    "Document",
    "documentCreate",
    "a",
    "zzz",
    "",
    " ",
    '"release notes"',
    "-draft OR plan",
    "<b>",
    "ü",
    "%",
    "_",
]


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def unit_vector(*hot: int) -> list[float]:
    """A 384-dimension embedding with ones at `hot`, so similarities are known exactly."""
    return [1.0 if i in hot else 0.0 for i in range(EMBEDDING_DIMENSIONS)]


@dataclass
class Dataset:
    """The committed organizations, a session token per principal, and value pools.

    The pools keep creation order, so a fixed hypothesis seed picks the same rows each run
    although their uuids differ.
    """

    organizations: list[Organization] = field(default_factory=list)
    tokens: dict[str, str | None] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    ids_by_type: dict[str, list[str]] = field(default_factory=dict)
    cursors: list[str] = field(default_factory=list)
    forged: list[str] = field(default_factory=list)
    # Per principal: ids and the slug of the organization it must never see.
    foreign: dict[str, set[str]] = field(default_factory=dict)
    words: list[str] = field(default_factory=lambda: list(WORDS))
    vector: list[float] = field(default_factory=lambda: unit_vector(0, 2))

    def remember(self, type_name: str, rows: list[Any], *sort_keys: str) -> None:
        """Keep the rows' global ids, and cursors for their keyset sort keys."""
        gids = [to_base64(type_name, row.id) for row in rows]
        self.ids.extend(gids)
        self.ids_by_type.setdefault(type_name, []).extend(gids)
        self.cursors.extend(
            encode_cursor((getattr(row, key), row.id)) for row in rows[:3] for key in sort_keys
        )

    def forge_ids(self) -> None:
        """Ids that name nothing: a row under another type, an unknown row, garbage."""
        some_user = from_base64(self.ids_by_type["User"][0])[1]
        self.forged = [
            to_base64("Document", some_user),
            to_base64("Collection", uuid.UUID(int=7)),
            to_base64("Nope", uuid.UUID(int=8)),
            "not-a-global-id",
        ]
        self.ids.extend(self.forged)
        self.cursors.extend(["bm90IGEgY3Vyc29y", "", "!!"])
