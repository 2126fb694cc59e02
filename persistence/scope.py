"""Who a repository works for: the organization every query is confined to, and the viewer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """A caller's organization and identity; admins (and the system) see private rows."""

    organization_id: uuid.UUID
    user_id: uuid.UUID | None = None
    is_admin: bool = False

    @classmethod
    def system(cls, organization_id: uuid.UUID) -> Scope:
        """Unrestricted within one organization: for the CLI, seeding and tests."""
        return cls(organization_id=organization_id, is_admin=True)
