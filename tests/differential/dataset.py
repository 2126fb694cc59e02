"""Builds the differential tests' two organizations through the repositories, committed.

The main organization has a user per role plus one with two roles, a deactivated and a
soft-deleted one; the other organization has users of the same names (so only scoping tells
them apart) and rows of every kind, none of which may ever appear to a main principal.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update

from persistence.database import Database
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.credentials import SessionRepository
from persistence.user.identity import create_user
from persistence.user.models import Organization, Role, User
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.differential.content import write_content
from tests.differential.values import Dataset, at

PASSWORD = "differential passphrase"

# name: (roles, is_active, soft-deleted, created_at); viewer and editor are created at the
# same instant, and so are the inactive and the removed user.
USERS: dict[str, tuple[list[Role], bool, bool, Any]] = {
    "admin": ([Role.ADMIN], True, False, at(0)),
    "editor": ([Role.EDITOR], True, False, at(1)),
    "viewer": ([Role.VIEWER], True, False, at(1)),
    "both": ([Role.EDITOR, Role.VIEWER], True, False, at(2.5)),
    "inactive": ([Role.VIEWER], False, False, at(3.123456)),
    "removed": ([Role.EDITOR], True, True, at(3.123456)),
}
OTHER_USERS = {
    "outsider": ([Role.ADMIN], True, False, at(0)),
    **{name: USERS[name] for name in ("editor", "viewer", "removed")},
}


async def build(database: Database, settings: Settings) -> Dataset:
    """Write both organizations and open a session for each principal."""
    dataset = Dataset()
    suffix = uuid.uuid4().hex[:8]
    owned: list[set[str]] = []
    for slug, specs, principals in (
        (f"diff-main-{suffix}", USERS, ("viewer", "editor", "admin")),
        (f"diff-other-{suffix}", OTHER_USERS, ("outsider",)),
    ):
        start = len(dataset.ids)
        async with database.transaction() as session:
            org = await OrganizationRepository(session).create(slug=slug, name=slug.title())
            scope = Scope.system(org.id)
            dataset.remember("Organization", [org])
            users = await _users(session, scope, settings, specs)
            sessions = SessionRepository(session, scope)
            for name in principals:
                token, _ = await sessions.open(users[name].id, ttl=timedelta(hours=6))
                dataset.tokens[name] = token
            dataset.remember("User", list(users.values()), "username", "created_at")
            await write_content(session, scope, dataset, users)
        dataset.organizations.append(org)
        owned.append({slug, org.name, *dataset.ids[start:]})
    main, other = owned
    dataset.foreign = {"viewer": other, "editor": other, "admin": other, "outsider": main}
    dataset.foreign["anonymous"] = main | other
    dataset.tokens["anonymous"] = None
    dataset.forge_ids()
    return dataset


async def drop(database: Database, dataset: Dataset) -> None:
    """Delete both organizations; every row cascades."""
    async with database.transaction() as session:
        ids = [org.id for org in dataset.organizations]
        await session.execute(delete(Organization).where(Organization.id.in_(ids)))


async def _users(
    session: Any, scope: Scope, settings: Settings, specs: dict[str, Any]
) -> dict[str, User]:
    repository = UserRepository(session, scope)
    users: dict[str, User] = {}
    for name, (roles, active, deleted, created) in specs.items():
        user = await create_user(
            repository,
            username=name,
            email=f"{name}@{scope.organization_id.hex[:8]}.example.com",
            password=PASSWORD,
            full_name=f"{name.title()} Person",
            roles=roles,
            settings=settings,
        )
        stamps = {
            "is_active": active,
            "deleted_at": created + timedelta(days=1) if deleted else None,
            "created_at": created,
            "updated_at": created + timedelta(hours=1),
        }
        await session.execute(
            update(User)
            .where(User.organization_id == scope.organization_id, User.id == user.id)
            .values(**stamps)
        )
        for key, value in stamps.items():
            setattr(user, key, value)
        users[name] = user
    return users
