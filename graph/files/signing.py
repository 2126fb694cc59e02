"""Signed, expiring download URLs: HMAC-SHA256 over the file's id and the expiry, with the
key from KHUB_SIGNING_KEY. A URL proves only that this server issued it; the download
still needs its requester's own credential (`graph/files/download.py`)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
import uuid
from functools import cache
from urllib.parse import urlencode

log = logging.getLogger(__name__)

MIN_KEY_LENGTH = 32


def key_bytes(configured: str | None) -> bytes:
    """The configured key, or (development only; production refuses to start without one,
    `graph/settings.py`) a random key of this process, with a warning: its URLs stop
    working when the process ends and are not accepted by other instances."""
    if configured:
        return configured.encode()
    return _process_key()


@cache
def _process_key() -> bytes:
    log.warning(
        "KHUB_SIGNING_KEY is not set: download URLs are signed with a key made for this "
        "process, which other instances and restarts do not know"
    )
    return secrets.token_urlsafe(MIN_KEY_LENGTH).encode()


def signature(key: bytes, file_id: uuid.UUID, expires: int) -> str:
    return hmac.new(key, f"{file_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def download_url(
    key: bytes, file_id: uuid.UUID, *, ttl_seconds: int, now: float | None = None
) -> str:
    """The path of the file's download, valid for `ttl_seconds` from now."""
    expires = int(now if now is not None else time.time()) + ttl_seconds
    query = urlencode({"expires": expires, "signature": signature(key, file_id, expires)})
    return f"/files/{file_id}?{query}"


def verified(key: bytes, file_id: uuid.UUID, expires: int, given: str) -> bool:
    """Whether this server signed exactly this id and expiry (compared in constant time)."""
    return hmac.compare_digest(signature(key, file_id, expires), given)
