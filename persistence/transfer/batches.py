"""An import's batches and the result summary every import kind returns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from persistence.transfer.archive import Problem

MAX_REPORTED_PROBLEMS = 1_000
T = TypeVar("T")


def batches(items: Sequence[T], size: int) -> list[tuple[int, Sequence[T]]]:
    """Consecutive slices of `size`, each with how many items precede it."""
    return [(start, items[start : start + size]) for start in range(0, len(items), size)]


def summary(
    kind: str, created: dict[str, int], *, unchanged: int, problems: list[Problem]
) -> dict[str, Any]:
    """The job's result: JSON, with at most MAX_REPORTED_PROBLEMS problems spelled out."""
    return {
        "format": kind,
        "created": created,
        "unchanged": unchanged,
        "problemCount": len(problems),
        "problems": [p.as_json() for p in problems[:MAX_REPORTED_PROBLEMS]],
    }
