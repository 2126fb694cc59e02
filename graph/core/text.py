"""Client-supplied text echoed back in errors and logs, kept short."""

from __future__ import annotations

ECHO_LIMIT = 200


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` cut to `limit` characters with an ellipsis, so one request cannot flood the
    log or the response with a multi-megabyte value."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
