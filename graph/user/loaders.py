"""Loaders of the user domain; they return rows, which the GraphQL types read directly."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import RelationLoader, RepositoryLoader
from persistence.scope import Scope
from persistence.user.credentials import ApiKeyRepository
from persistence.user.models import ApiKey
from persistence.user.repository import (
    OWN_ORGANIZATION,
    ROLES_BY_USER,
    USER_BY_ID,
    USER_ON_RECORD,
)


class UserByIdLoader(RelationLoader):
    relation = USER_BY_ID


class UserOnRecordByIdLoader(RelationLoader):
    """Owners, authors and actors, shown even after their account was soft-deleted."""

    relation = USER_ON_RECORD


class RolesByUserIdLoader(RelationLoader):
    relation = ROLES_BY_USER


class OrganizationByIdLoader(RelationLoader):
    """Callers only ever see their own organization."""

    relation = OWN_ORGANIZATION


class ApiKeyByIdLoader(RepositoryLoader[uuid.UUID, ApiKey | None]):
    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[uuid.UUID]
    ) -> list[ApiKey | None]:
        return await ApiKeyRepository(session, scope).get_many(keys)
