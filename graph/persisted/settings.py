"""How the server treats documents sent by id (`KHUB_TRUSTED_DOCUMENTS`, `KHUB_APQ`, …)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return default if raw == "" else raw in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class PersistedSettings:
    """`trusted`: only pushed documents run, sent by id; `apq`: clients may register
    documents by hash (Automatic Persisted Queries), never in trusted mode."""

    trusted: bool = False
    apq: bool = True
    apq_max_documents: int = 10_000
    cache_size: int = 1024

    @classmethod
    def from_env(cls) -> PersistedSettings:
        trusted = _flag("KHUB_TRUSTED_DOCUMENTS", cls.trusted)
        limit = os.environ.get("KHUB_APQ_MAX_DOCUMENTS", "").strip()
        return cls(
            trusted=trusted,
            apq=not trusted and _flag("KHUB_APQ", cls.apq),
            apq_max_documents=int(limit) if limit else cls.apq_max_documents,
        )
