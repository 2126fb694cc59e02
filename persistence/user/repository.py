"""Users, roles and login bookkeeping; sessions and API keys live in `credentials.py`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, delete, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.errors import NotFound, ValidationError
from persistence.ids import new_id
from persistence.locks import lock_organization
from persistence.relation import OwnOrganization, Rows, Values
from persistence.repository import Repository, contains_text, execute_write, given
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
        if given(filter.search):
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

    async def lock(self, user_id: uuid.UUID) -> User:
        """The live user, its row locked until the transaction ends; else NotFound.

        `FOR NO KEY UPDATE`: writers of the user wait, rows that merely reference the user
        (sessions, audit events, documents) do not.
        """
        user = await self.session.scalar(
            self.select().where(User.id == user_id).with_for_update(key_share=True),
            execution_options={"populate_existing": True},
        )
        if user is None:
            raise NotFound(self.entity, user_id)
        return user

    async def ensure_an_admin_remains(self, *, without: uuid.UUID, field: str) -> None:
        """Refuse (ValidationError on `field`) to take `without`'s ADMIN role or activity
        when they are the organization's last live, active admin.

        Takes the organization's invariant lock first, so two admins removing each other at
        once are checked one after the other: the second sees the first one's change.
        """
        await lock_organization(self.session, self.scope.organization_id)
        org = self.scope.organization_id
        admins = (
            select(
                func.count().filter(User.id == without).label("mine"),
                func.count().label("total"),
            )
            .select_from(User)
            .join(
                UserRole,
                (UserRole.organization_id == User.organization_id) & (UserRole.user_id == User.id),
            )
            .where(
                User.organization_id == org,
                User.is_active.is_(True),
                User.deleted_at.is_(None),
                UserRole.role == Role.ADMIN,
            )
        )
        mine, total = (await self.session.execute(admins)).one()
        if mine and total == mine:
            raise ValidationError(field, "the organization must keep at least one active admin")

    async def set_roles(self, user_id: uuid.UUID, roles: Sequence[Role]) -> list[Role]:
        """Replace a user's roles (three statements, whatever the number of roles).

        The user's row is locked first, so concurrent replacements run one after the other
        and the last one's set is exactly what remains (not a merge, not a unique violation).
        """
        await self.lock(user_id)
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
    """Organizations are the tenants themselves, so they are not organization-scoped.

    Row-level security shows the application role only the organization of its
    transaction; `by_slug` and `only_one` go through SECURITY DEFINER functions (migration
    0007) because login needs them before any organization is set.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, *, slug: str, name: str) -> Organization:
        """A new organization; a taken slug is AlreadyExists."""
        stmt = insert(Organization).values(id=new_id(), slug=slug, name=name)
        result = await execute_write(self.session, stmt.returning(Organization))
        return result.scalars().one()

    async def by_slug(self, slug: str) -> Organization | None:
        """The organization with this slug, whichever organization the transaction is in."""
        return await self._one_of(
            text("SELECT * FROM khub_organization_by_slug(:slug)").bindparams(slug=slug)
        )

    async def find(self, id: uuid.UUID) -> Organization | None:
        return await self.session.scalar(select(Organization).where(Organization.id == id))

    async def get(self, id: uuid.UUID) -> Organization:
        org = await self.find(id)
        if org is None:
            raise NotFound("organization", id)
        return org

    async def only_one(self) -> Organization | None:
        """The organization when the server holds exactly one, so logins may omit it."""
        return await self._one_of(text("SELECT * FROM khub_only_organization()"))

    async def _one_of(self, rows: TextClause) -> Organization | None:
        stmt = select(Organization).from_statement(rows)
        return (await self.session.scalars(stmt)).first()


USER_BY_ID = Rows(UserRepository)
# Who owns, wrote or did something stays part of the record after their account is
# soft-deleted: a document's `owner` is non-null, and hiding it would null every list the
# document is in.
USER_ON_RECORD = Rows(UserRepository, include_deleted=True)
ROLES_BY_USER = Values(UserRole, key="user_id", value="role")
OWN_ORGANIZATION = OwnOrganization(Organization)
