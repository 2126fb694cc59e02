"""The registry of job kinds: each kind is a handler the worker runs with a `JobRun`.

Kinds register themselves on import (`@job_kind("reindex")`); the worker imports the
modules named in `KIND_MODULES` before it claims anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import Any

from persistence.errors import NotFound, ValidationError
from persistence.job.run import JobRun

Handler = Callable[[JobRun], Awaitable[dict[str, Any]]]
"""Runs one job through its steps; returns the JSON result summary."""

HANDLERS: dict[str, Handler] = {}

PERMANENT: tuple[type[Exception], ...] = (NotFound, ValidationError)
"""Failures of any kind that a retry would only repeat: the job is FAILED at once."""

PERMANENT_BY_KIND: dict[str, tuple[type[Exception], ...]] = {}

KIND_MODULES = ["persistence.job.reindex", "persistence.job.purge", "persistence.transfer.kinds"]
"""The modules whose import registers the built-in kinds."""


def job_kind(
    name: str, *, permanent: tuple[type[Exception], ...] = ()
) -> Callable[[Handler], Handler]:
    """Register `handler` as the kind `name`; `permanent` names the kind's own failures that
    no retry can cure (on top of `PERMANENT`)."""

    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        PERMANENT_BY_KIND[name] = permanent
        return handler

    return register


def is_permanent(kind: str, exc: BaseException) -> bool:
    """Whether `exc` fails the job for good rather than for a retry."""
    return isinstance(exc, PERMANENT + PERMANENT_BY_KIND.get(kind, ()))


def load_kinds() -> dict[str, Handler]:
    """Every built-in kind, registered."""
    for module in KIND_MODULES:
        importlib.import_module(module)
    return HANDLERS
