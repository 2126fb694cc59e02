"""Collections: a folder tree of documents inside an organization."""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import CheckConstraint, Enum, ForeignKeyConstraint, Index, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, SoftDeleteMixin, TenantMixin, VersionedMixin


class Visibility(enum.StrEnum):
    """Who may see a row: only its owner (and admins), or the whole organization."""

    PRIVATE = "PRIVATE"
    ORGANIZATION = "ORGANIZATION"


class Collection(TenantMixin, VersionedMixin, SoftDeleteMixin, Base):
    __tablename__ = "collections"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "parent_id"],
            ["collections.organization_id", "collections.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "owner_id"],
            ["users.organization_id", "users.id"],
            # NO ACTION (the default): checked at the end of the statement, so purging a
            # user is refused while they own rows, yet a whole organization can be deleted.
        ),
        Index(
            "uq_collections_live_sibling_name",
            "organization_id",
            "parent_id",
            text("lower(name)"),
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            postgresql_nulls_not_distinct=True,
            info={"field": "name"},
        ),
        Index("ix_collections_parent", "organization_id", "parent_id", "name", "id"),
        Index("ix_collections_name", "organization_id", "name", "id"),
        Index("ix_collections_created", "organization_id", "created_at", "id"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint("color IS NULL OR color ~ '^#[0-9a-fA-F]{6}$'", name="color_hex"),
    )

    parent_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    owner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    color: Mapped[str | None] = mapped_column(String(7))
    icon: Mapped[str | None] = mapped_column(String(64))
    visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, name="visibility"), nullable=False, server_default=Visibility.ORGANIZATION
    )
