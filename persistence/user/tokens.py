"""Opaque bearer secrets for sessions and API keys, stored only as SHA-256 hashes.

A secret reads `khs_<organization hex>_<random>` (sessions) or `khk_…` (API keys). The
organization part lets the server scope the lookup (and row-level security) before it
knows who the caller is; the random part carries 256 bits from `secrets`.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

SESSION_PREFIX = "khs"
API_KEY_PREFIX = "khk"


@dataclass(frozen=True)
class ParsedToken:
    kind: str
    organization_id: uuid.UUID


def new_secret(kind: str, organization_id: uuid.UUID) -> str:
    """A fresh bearer secret of `kind` (SESSION_PREFIX or API_KEY_PREFIX)."""
    return f"{kind}_{organization_id.hex}_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    """The hex SHA-256 stored in place of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(secret: str) -> str:
    """What is shown of an API key after creation: its kind and last four characters."""
    return f"{secret[:4]}…{secret[-4:]}"


def parse(secret: str) -> ParsedToken | None:
    """The kind and organization a secret names, or None when it is not one of ours."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] not in (SESSION_PREFIX, API_KEY_PREFIX):
        return None
    try:
        return ParsedToken(kind=parts[0], organization_id=uuid.UUID(hex=parts[1]))
    except ValueError:
        return None
