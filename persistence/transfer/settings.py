"""The limits of imports, exports and their files, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


@dataclass(frozen=True)
class TransferSettings:
    """How large a stored file, and how large and how many an import's entries, may be.

    The uncompressed total is counted on the bytes actually inflated, never taken from the
    zip's own headers, which a zip bomb lies in."""

    max_file_bytes: int = 50 * 1024 * 1024
    file_ttl_seconds: int = 24 * 3600
    max_entries: int = 10_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    batch_size: int = 200

    @classmethod
    def from_env(cls) -> TransferSettings:
        return cls(
            max_file_bytes=_int("KHUB_MAX_FILE_BYTES", cls.max_file_bytes),
            file_ttl_seconds=_int("KHUB_FILE_TTL_SECONDS", cls.file_ttl_seconds),
            max_entries=_int("KHUB_IMPORT_MAX_ENTRIES", cls.max_entries),
            max_uncompressed_bytes=_int(
                "KHUB_IMPORT_MAX_UNCOMPRESSED_BYTES", cls.max_uncompressed_bytes
            ),
            batch_size=_int("KHUB_IMPORT_BATCH_SIZE", cls.batch_size),
        )


@cache
def transfer_settings() -> TransferSettings:
    """The process's settings, read on first use (job handlers get only their run)."""
    return TransferSettings.from_env()
