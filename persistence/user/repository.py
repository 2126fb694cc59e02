"""Users, roles and login bookkeeping; sessions and API keys live in `credentials.py`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import any_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import NotFound
from persistence.ids import new_id
from persistence.repository import Repository, execute_write, uuid_array
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
            pattern = f"%{filter.search.lower()}%"
            clauses.append(
                or_(
                    func.lower(User.username).like(pattern),
                    func.lower(User.full_name).like(pattern),
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
        stmt = (
            select(UserRole.user_id, UserRole.role)
            .where(
                UserRole.organization_id == self.scope.organization_id,
                UserRole.user_id == any_(uuid_array("ids", user_ids)),
            )
            .order_by(UserRole.role)
        )
        found: dict[uuid.UUID, list[Role]] = {i: [] for i in user_ids}
        for user_id, role in await self.session.execute(stmt):
            found[user_id].append(role)
        return found

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

    async def record_login_success(self, user_id: uuid.UUID) -> None:
        """Stamp the last login (bookkeeping, not an edit: the version stays)."""
        await self.session.execute(
            update(User)
            .where(User.organization_id == self.scope.organization_id, User.id == user_id)
            .values(last_login_at=func.now())
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
