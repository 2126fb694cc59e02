"""How the retrieval history is written and kept (`KHUB_RETRIEVAL_*`)."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return default if raw == "" else float(raw)


@dataclass(frozen=True)
class RetrievalSettings:
    """`queue_size` calls wait for the writer at most (past it they are dropped and counted;
    0 records nothing); the writer writes every `flush_seconds` or `batch_size` calls, and
    deletes rows older than `retention_days` every `expire_seconds`, `expire_batch` at a
    time."""

    retention_days: int = 90
    queue_size: int = 10_000
    batch_size: int = 500
    flush_seconds: float = 1.0
    expire_seconds: float = 3600.0
    expire_batch: int = 5_000

    def __post_init__(self) -> None:
        if self.retention_days < 1:
            raise ValueError("KHUB_RETRIEVAL_RETENTION_DAYS must be at least 1")
        if self.queue_size < 0 or self.batch_size < 1 or self.flush_seconds <= 0:
            raise ValueError(
                "KHUB_RETRIEVAL_QUEUE_SIZE must be >= 0, the batch and flush interval positive"
            )

    @classmethod
    def from_env(cls) -> RetrievalSettings:
        return cls(
            retention_days=int(_number("KHUB_RETRIEVAL_RETENTION_DAYS", cls.retention_days)),
            queue_size=int(_number("KHUB_RETRIEVAL_QUEUE_SIZE", cls.queue_size)),
            batch_size=int(_number("KHUB_RETRIEVAL_BATCH_SIZE", cls.batch_size)),
            flush_seconds=_number("KHUB_RETRIEVAL_FLUSH_SECONDS", cls.flush_seconds),
        )
