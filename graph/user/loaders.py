"""Loaders of the user domain; they return rows, which the GraphQL types read directly."""

from __future__ import annotations

from graph.core.loaders import RelationLoader
from persistence.user.credentials import API_KEY_BY_ID
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


class ApiKeyByIdLoader(RelationLoader):
    """The caller's own keys; admins read everyone's."""

    relation = API_KEY_BY_ID
