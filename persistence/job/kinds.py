"""The registry of job kinds: each kind is a handler the worker runs with a `JobRun`.

Kinds register themselves on import (`@job_kind("reindex")`); the worker imports the
modules named in `KIND_MODULES` before it claims anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import Any

from persistence.job.run import JobRun

Handler = Callable[[JobRun], Awaitable[dict[str, Any]]]
"""Runs one job through its steps; returns the JSON result summary."""

HANDLERS: dict[str, Handler] = {}

KIND_MODULES = ["persistence.job.reindex", "persistence.job.purge"]
"""The modules whose import registers the built-in kinds (import/export add theirs)."""


def job_kind(name: str) -> Callable[[Handler], Handler]:
    """Register `handler` as the kind `name`."""

    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def load_kinds() -> dict[str, Handler]:
    """Every built-in kind, registered."""
    for module in KIND_MODULES:
        importlib.import_module(module)
    return HANDLERS
