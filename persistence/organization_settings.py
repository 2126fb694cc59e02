"""Organization settings: one typed, validated row per organization, and the one function
the code they govern reads them with.

An organization without a row has the defaults (`OrganizationSettings()`, version 0): rows
are written only by `organizationSettingsUpdate`, never by a read. Fields left `None` defer
to the server's environment setting (`persistence.settings.Settings`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Enum,
    Index,
    Integer,
    String,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from persistence.base import Base, TenantMixin, VersionedMixin
from persistence.collection.models import Visibility
from persistence.errors import ValidationError, VersionConflict
from persistence.ids import new_id
from persistence.repository import execute_write
from persistence.user.models import Role

DAY = 24 * 3600
BOUNDS: dict[str, tuple[int, int]] = {
    "deleted_retention_days": (1, 3650),
    "retrieval_retention_days": (1, 3650),
    "session_lifetime_seconds": (300, 90 * DAY),
    "login_max_failures": (1, 1000),
    "login_account_max_failures": (1, 10000),
}
"""Inclusive ranges of the numeric settings; the table's CHECK constraints say the same."""


def _in_bounds(column: str, *, nullable: bool = False) -> CheckConstraint:
    low, high = BOUNDS[column]
    condition = f"{column} BETWEEN {low} AND {high}"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_in_range")


class OrganizationSettingsRow(TenantMixin, VersionedMixin, Base):
    __tablename__ = "organization_settings"
    __table_args__ = (
        Index("uq_organization_settings_organization", "organization_id", unique=True),
        _in_bounds("deleted_retention_days"),
        _in_bounds("retrieval_retention_days"),
        _in_bounds("session_lifetime_seconds", nullable=True),
        _in_bounds("login_max_failures", nullable=True),
        _in_bounds("login_account_max_failures", nullable=True),
        CheckConstraint(
            "two_factor_roles <@ ARRAY['ADMIN', 'EDITOR', 'VIEWER']::varchar[]",
            name="two_factor_roles_known",
        ),
    )

    default_document_visibility: Mapped[Visibility] = mapped_column(
        Enum(Visibility, name="visibility", create_type=False),
        nullable=False,
        server_default=Visibility.ORGANIZATION,
    )
    deleted_retention_days: Mapped[int] = mapped_column(
        Integer, nullable=False, server_default="30"
    )
    retrieval_retention_days: Mapped[int] = mapped_column(
        Integer, nullable=False, server_default="90"
    )
    session_lifetime_seconds: Mapped[int | None] = mapped_column(Integer)
    login_max_failures: Mapped[int | None] = mapped_column(Integer)
    login_account_max_failures: Mapped[int | None] = mapped_column(Integer)
    two_factor_roles: Mapped[list[str]] = mapped_column(
        ARRAY(String(16)), nullable=False, server_default=text("'{}'::varchar[]")
    )


@dataclass(frozen=True)
class OrganizationSettings:
    """The settings that govern one organization; `None` defers to the server's setting."""

    default_document_visibility: Visibility = Visibility.ORGANIZATION
    deleted_retention_days: int = 30
    retrieval_retention_days: int = 90
    session_lifetime_seconds: int | None = None
    login_max_failures: int | None = None
    login_account_max_failures: int | None = None
    two_factor_roles: frozenset[Role] = frozenset()
    version: int = 0
    id: uuid.UUID | None = None

    @classmethod
    def of(cls, row: OrganizationSettingsRow | None) -> OrganizationSettings:
        if row is None:
            return cls()
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        values["two_factor_roles"] = frozenset(Role(r) for r in row.two_factor_roles)
        return cls(**values)

    def requires_two_factor(self, roles: set[Role] | frozenset[Role]) -> bool:
        """Whether a user with these roles must have a second factor to sign in."""
        return bool(self.two_factor_roles & set(roles))


SETTABLE = tuple(f.name for f in fields(OrganizationSettings) if f.name not in ("version", "id"))


async def settings_for(session: AsyncSession, organization_id: uuid.UUID) -> OrganizationSettings:
    """The settings governing `organization_id` (its defaults when it has no row); one
    statement, in the caller's transaction (row-level security: the organization's own)."""
    row = await session.scalar(
        select(OrganizationSettingsRow).where(
            OrganizationSettingsRow.organization_id == organization_id
        )
    )
    return OrganizationSettings.of(row)


def validate(changes: dict[str, Any]) -> None:
    """Refuse a value out of its range, naming the setting (the CHECKs would say less)."""
    for name, value in changes.items():
        if name not in SETTABLE:
            raise ValidationError(name, f"unknown setting {name}")
        if name in BOUNDS and value is not None:
            low, high = BOUNDS[name]
            if not low <= value <= high:
                raise ValidationError(name, f"{name.replace('_', ' ')} must be {low} to {high}")


async def update_settings(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    expected_version: int,
    changes: dict[str, Any],
) -> OrganizationSettings:
    """Apply `changes` if the settings are still at `expected_version` (0: never written);
    one statement. A stale version raises VersionConflict with the current one."""
    validate(changes)
    values = dict(changes)
    if "two_factor_roles" in values:
        values["two_factor_roles"] = sorted(str(r) for r in values["two_factor_roles"])
    table = OrganizationSettingsRow
    if expected_version == 0:
        stmt: Any = (
            insert(table)
            .values(id=new_id(), organization_id=organization_id, version=1, **values)
            .on_conflict_do_nothing(index_elements=["organization_id"])
            .returning(table)
        )
    else:
        stmt = (
            update(table)
            .where(table.organization_id == organization_id, table.version == expected_version)
            .values(version=table.version + 1, **values)
            .returning(table)
        )
    row = (await execute_write(session, stmt)).scalars().first()
    if row is None:
        current = await settings_for(session, organization_id)
        raise VersionConflict("organization settings", organization_id, current.version)
    return OrganizationSettings.of(row)
