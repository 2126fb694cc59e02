"""The resource table's own rules hold whoever writes: the database refuses what the API's
checks refuse, and the settings table refuses values out of range."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import ValidationError, VersionConflict, translate
from persistence.ids import new_id
from persistence.organization_settings import (
    OrganizationSettingsRow,
    settings_for,
    update_settings,
)
from persistence.resource.repository import ResourceRepository
from persistence.scope import Scope
from persistence.user.models import Organization, User


def resource(owner: User, **values: Any) -> dict[str, Any]:
    return {"url": "https://example.com", "kind": "OTHER", "title": "T", "owner_id": owner.id,
            **values}  # fmt: skip


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"quality_score": 1.01}, "quality_score"),
        ({"quality_score": -1}, "quality_score"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://"}, "url"),
        ({"usage_count": -1}, "usage_count"),
    ],
)
async def test_the_database_refuses_what_the_api_refuses(
    session: AsyncSession, scope: Scope, editor: User, values: dict, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await ResourceRepository(session, scope).create(**resource(editor, **values))

    assert raised.value.field == field


async def test_a_use_is_counted_in_one_statement_without_a_new_version(
    session: AsyncSession, scope: Scope, editor: User
) -> None:
    resources = ResourceRepository(session, scope)
    created = await resources.create(**resource(editor))

    used = await resources.use(created.id)

    assert (used.usage_count, used.version) == (1, 1)


async def test_settings_out_of_range_are_refused_by_the_table_too(
    session: AsyncSession, organization: Organization
) -> None:
    stmt = insert(OrganizationSettingsRow).values(
        id=new_id(), organization_id=organization.id, session_lifetime_seconds=5
    )
    with pytest.raises(DBAPIError) as raised:
        async with session.begin_nested():
            await session.execute(stmt)

    error = translate(raised.value)
    assert isinstance(error, ValidationError) and error.field == "session_lifetime_seconds"


async def test_settings_start_at_version_zero_and_conflict_when_stale(
    session: AsyncSession, organization: Organization
) -> None:
    assert (await settings_for(session, organization.id)).version == 0

    changed = await update_settings(
        session, organization.id, expected_version=0, changes={"deleted_retention_days": 9}
    )
    with pytest.raises(VersionConflict) as raised:
        await update_settings(session, organization.id, expected_version=0, changes={})

    assert changed.deleted_retention_days == 9 and changed.version == 1
    assert raised.value.current_version == 1
