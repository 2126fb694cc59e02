"""Organizations, users, their roles, login sessions and API keys."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, SoftDeleteMixin, TenantMixin, VersionedMixin


class Role(enum.StrEnum):
    ADMIN = "ADMIN"
    EDITOR = "EDITOR"
    VIEWER = "VIEWER"


class Organization(VersionedMixin, Base):
    __tablename__ = "organizations"
    __table_args__ = (
        UniqueConstraint("slug"),
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'", name="slug_format"),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    slug: Mapped[str] = mapped_column(String(63), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)


class User(TenantMixin, VersionedMixin, SoftDeleteMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        Index(
            "uq_users_organization_id_username",
            "organization_id",
            text("lower(username)"),
            unique=True,
            info={"field": "username"},
        ),
        Index(
            "uq_users_organization_id_email",
            "organization_id",
            text("lower(email)"),
            unique=True,
            info={"field": "email"},
        ),
        Index("ix_users_username", "organization_id", "username", "id"),
        CheckConstraint("username ~ '^[A-Za-z0-9_.-]{3,40}$'", name="username_format"),
        CheckConstraint("email ~ '^[^@\\s]+@[^@\\s]+$'", name="email_format"),
    )

    username: Mapped[str] = mapped_column(String(40), nullable=False)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    full_name: Mapped[str] = mapped_column(String(200), nullable=False, server_default="")
    password_hash: Mapped[str] = mapped_column(String(100), nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def _user_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "user_id"], ["users.organization_id", "users.id"], ondelete="CASCADE"
    )


class UserRole(TenantMixin, Base):
    __tablename__ = "user_roles"
    __table_args__ = (
        _user_fk(),
        UniqueConstraint("organization_id", "user_id", "role", name="uq_user_roles_user_role"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    role: Mapped[Role] = mapped_column(Enum(Role, name="role"), nullable=False)


class UserSession(TenantMixin, Base):
    __tablename__ = "user_sessions"
    __table_args__ = (
        _user_fk(),
        UniqueConstraint("organization_id", "token_hash"),
        Index("ix_user_sessions_user", "organization_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(Text)


class ApiKey(TenantMixin, Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        _user_fk(),
        UniqueConstraint("organization_id", "secret_hash"),
        Index("ix_api_keys_user", "organization_id", "user_id"),
        CheckConstraint(
            "scopes <@ ARRAY['read', 'write']::varchar[] AND cardinality(scopes) > 0",
            name="scopes_known",
        ),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(16)), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The login session the key was created on, directly or through keys created on it:
    # such keys end when the user's password changes. A record, not a foreign key, so it
    # keeps its meaning when old sessions are cleaned up.
    origin_session_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class LoginThrottle(Base):
    """Login attempts counted per key, for back-off: one row per (organization, login,
    client address), per (organization, login) and per client address.

    Not tenant-owned: per-address rows span organizations, and attempts at organizations
    that do not exist are counted too (`organization_id` NULL), so an unknown organization
    or login is throttled exactly like a real one.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (
        Index(
            "uq_login_throttles_key",
            "organization_id",
            "login",
            "client_address",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("failures >= 0", name="failures_non_negative"),
        CheckConstraint("login <> '' OR client_address <> ''", name="has_a_key"),
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("organizations.id", ondelete="CASCADE")
    )
    login: Mapped[str] = mapped_column(String(400), nullable=False)
    client_address: Mapped[str] = mapped_column(String(64), nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    blocked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Whether the latest attempt was let through: RETURNING reads it back, as it cannot
    # read the row's values from before the update.
    admitted: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    succeeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
