"""What an import already wrote: one key per imported entry, so importing again skips it."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, TenantMixin


class ImportKey(TenantMixin, Base):
    """An imported entry's stable key (a SHA-256 of the target and the entry's identity in
    its file) and the row it became. Claimed before the row is written, so two imports of
    one file at once still write each entry once."""

    __tablename__ = "import_keys"
    __table_args__ = (
        Index("uq_import_keys_key", "organization_id", "key", unique=True, info={"field": "key"}),
        CheckConstraint("key ~ '^[0-9a-f]{64}$'", name="key_hex"),
    )

    key: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
