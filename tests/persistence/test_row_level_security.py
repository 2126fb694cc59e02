"""Row-level security: as the application role, other organizations' rows do not exist."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.database import scope_transaction
from persistence.document.repository import DocumentRepository
from persistence.roles import APP_ROLE
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.identity import create_user
from persistence.user.models import Organization, User
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.fixtures.users import PASSWORD


@pytest.fixture
async def rival(session: AsyncSession, settings: Settings) -> tuple[Organization, User]:
    """Another organization with a user and a document, written before any role switch."""
    org = await OrganizationRepository(session).create(slug="rival-rls", name="Rival")
    scope = Scope.system(org.id)
    user = await create_user(
        UserRepository(session, scope),
        username="rex",
        email="rex@example.com",
        password=PASSWORD,
        settings=settings,
    )
    await DocumentRepository(session, scope).create(title="Their plans", owner_id=user.id)
    return org, user


async def _as_app(session: AsyncSession, organization: Organization, settings: Settings) -> None:
    """The owner's test session, switched to the application role for the transaction."""
    await scope_transaction(
        session, organization_id=organization.id, statement_timeout_ms=settings.statement_timeout_ms
    )
    await session.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))


async def test_the_application_role_cannot_bypass_row_level_security(
    session: AsyncSession,
) -> None:
    flags = (
        await session.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
        )
    ).one()

    assert tuple(flags) == (False, False)


async def test_an_unscoped_query_sees_only_its_own_organization(
    session: AsyncSession, organization: Organization, rival, editor: User, settings: Settings
) -> None:
    await DocumentRepository(session, Scope.system(organization.id)).create(
        title="Our plans", owner_id=editor.id
    )
    await _as_app(session, organization, settings)

    titles = (await session.execute(text("SELECT title FROM documents"))).scalars().all()
    users = (await session.execute(text("SELECT username FROM users"))).scalars().all()

    assert titles == ["Our plans"]
    assert users == ["erin"]


async def test_writing_into_another_organization_is_refused(
    session: AsyncSession, organization: Organization, rival, settings: Settings
) -> None:
    org, user = rival
    await _as_app(session, organization, settings)

    with pytest.raises(DBAPIError, match="row-level security"):
        await DocumentRepository(session, Scope.system(org.id)).create(
            title="Planted", owner_id=user.id
        )


async def test_without_an_organization_no_tenant_row_is_visible(
    session: AsyncSession, rival, settings: Settings
) -> None:
    await scope_transaction(session, organization_id=None, statement_timeout_ms=1000)
    await session.execute(text(f"SET LOCAL ROLE {APP_ROLE}"))

    assert (await session.execute(text("SELECT count(*) FROM users"))).scalar() == 0
    assert (await session.execute(text("SELECT count(*) FROM organizations"))).scalar() == 0


async def test_the_full_text_match_is_leakproof_so_its_index_works_under_the_policies(
    session: AsyncSession,
) -> None:
    """Under row-level security only LEAKPROOF operators may use an index (migration 0005);
    without it every search read the whole table (docs/performance.md)."""
    leakproof = await session.scalar(
        text("SELECT proleakproof FROM pg_proc WHERE proname = 'ts_match_vq'")
    )

    assert leakproof is True
