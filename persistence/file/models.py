"""Files a job reads or writes: uploads to import, and exports waiting for their download."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, TenantMixin


class JobFile(TenantMixin, Base):
    """One stored file, private to its owner. `downloaded_at` is set once, by the download
    that took it (an export is downloadable once); `expires_at` ends it either way."""

    __tablename__ = "job_files"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["users.organization_id", "users.id"],
            ondelete="CASCADE",
        ),
        Index("ix_job_files_owner", "organization_id", "owner_id", "created_at"),
        Index("ix_job_files_expires", "expires_at"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        CheckConstraint("size >= 0 AND size = octet_length(content)", name="size_is_content"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    # Up to KHUB_MAX_FILE_BYTES: never loaded with the row, only where the bytes are needed.
    content: Mapped[bytes] = mapped_column(
        LargeBinary, nullable=False, deferred=True, deferred_raiseload=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    downloaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
