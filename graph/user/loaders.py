"""Loaders of the user domain; they return rows, which the GraphQL types read directly."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import RelationLoader, RepositoryLoader
from persistence.scope import Scope
from persistence.user.credentials import ApiKeyRepository
from persistence.user.models import ApiKey, Organization
from persistence.user.repository import ROLES_BY_USER, USER_BY_ID, OrganizationRepository


class UserByIdLoader(RelationLoader):
    relation = USER_BY_ID


class RolesByUserIdLoader(RelationLoader):
    relation = ROLES_BY_USER


class OrganizationByIdLoader(RepositoryLoader[uuid.UUID, Organization | None]):
    """Callers only ever see their own organization, so a batch needs one row at most."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[Organization | None]:
        own = scope.organization_id
        row = await OrganizationRepository(session).find(own) if own in keys else None
        return [row if k == own else None for k in keys]


class ApiKeyByIdLoader(RepositoryLoader[uuid.UUID, ApiKey | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[ApiKey | None]:
        return await ApiKeyRepository(session, scope).get_many(keys)
