"""Users, roles and login bookkeeping; sessions and API keys live in `credentials.py`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import NotFound
from persistence.ids import new_id
from persistence.relation import OwnOrganization, Rows, Values
from persistence.repository import Repository, contains_text, execute_write
from persistence.user.models import Organization, Role, User, UserRole


@dataclass(frozen=True)
class UserFilter:
    search: str | None = None
    role: Role | None = None
    is_active: bool | None = None


class UserRepository(Repository[User]):
    model = User
    entity = "user"
    sort_keys = {
        "created_at": User.created_at,
        "username": User.username,
        "updated_at": User.updated_at,
    }

    def filters(self, filter: UserFilter) -> list[Any]:
        clauses: list[Any] = []
        if filter.search:
            clauses.append(
                or_(
                    contains_text(User.username, filter.search),
                    contains_text(User.full_name, filter.search),
                )
            )
        if filter.is_active is not None:
            clauses.append(User.is_active.is_(filter.is_active))
        if filter.role is not None:
            clauses.append(
                User.id.in_(
                    select(UserRole.user_id).where(
                        UserRole.organization_id == self.scope.organization_id,
                        UserRole.role == filter.role,
                    )
                )
            )
        return clauses

    async def find_by_login(self, login: str) -> User | None:
        """The live user whose username or email is `login`, case-insensitively."""
        needle = login.strip().lower()
        stmt = self.select().where(
            or_(func.lower(User.username) == needle, func.lower(User.email) == needle)
        )
        return (await self.session.scalars(stmt)).first()

    async def roles_of(self, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Role]]:
        """Each user's roles, for many users in one statement."""
        found = await ROLES_BY_USER.fetch(self.session, self.scope, user_ids)
        return dict(zip(user_ids, found, strict=True))

    async def set_roles(self, user_id: uuid.UUID, roles: Sequence[Role]) -> list[Role]:
        """Replace a user's roles (two statements, whatever the number of roles)."""
        await self.get(user_id)
        await self.session.execute(
            delete(UserRole).where(
                UserRole.organization_id == self.scope.organization_id,
                UserRole.user_id == user_id,
            )
        )
        wanted = sorted(set(roles))
        if wanted:
            await self._run(
                insert(UserRole),
                [
                    {
                        "id": new_id(),
                        "organization_id": self.scope.organization_id,
                        "user_id": user_id,
                        "role": role,
                    }
                    for role in wanted
                ],
            )
        return wanted

    async def record_login_failure(
        self, user_id: uuid.UUID, *, max_failures: int, lockout: timedelta
    ) -> datetime | None:
        """Count a failed login; on the Nth, lock the account for `lockout` and start over.

        Bookkeeping, not an edit: it does not bump the row's version. Returns `locked_until`.
        """
        reached = User.failed_login_count + 1 >= max_failures
        stmt = (
            update(User)
            .where(User.organization_id == self.scope.organization_id, User.id == user_id)
            .values(
                failed_login_count=case((reached, 0), else_=User.failed_login_count + 1),
                locked_until=case((reached, func.now() + lockout), else_=User.locked_until),
            )
            .returning(User.locked_until)
        )
        return (await self.session.execute(stmt)).scalar()

    async def record_login_success(self, user_id: uuid.UUID) -> None:
        """Reset the failure count and stamp the last login."""
        await self.session.execute(
            update(User)
            .where(User.organization_id == self.scope.organization_id, User.id == user_id)
            .values(failed_login_count=0, locked_until=None, last_login_at=func.now())
        )


class OrganizationRepository:
    """Organizations are the tenants themselves, so they are not organization-scoped."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, *, slug: str, name: str) -> Organization:
        """A new organization; a taken slug is AlreadyExists."""
        stmt = insert(Organization).values(id=new_id(), slug=slug, name=name)
        result = await execute_write(self.session, stmt.returning(Organization))
        return result.scalars().one()

    async def by_slug(self, slug: str) -> Organization | None:
        return await self.session.scalar(select(Organization).where(Organization.slug == slug))

    async def find(self, id: uuid.UUID) -> Organization | None:
        return await self.session.scalar(select(Organization).where(Organization.id == id))

    async def get(self, id: uuid.UUID) -> Organization:
        org = await self.find(id)
        if org is None:
            raise NotFound("organization", id)
        return org

    async def only_one(self) -> Organization | None:
        """The organization when the server holds exactly one, so logins may omit it."""
        rows = (await self.session.scalars(select(Organization).limit(2))).all()
        return rows[0] if len(rows) == 1 else None


USER_BY_ID = Rows(UserRepository)
ROLES_BY_USER = Values(UserRole, key="user_id", value="role")
OWN_ORGANIZATION = OwnOrganization(Organization)
