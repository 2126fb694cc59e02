"""Field permissions, declared on fields (never checked inside resolvers).

Each permission first requires a caller (else UNAUTHENTICATED), then its own rule (else
FORBIDDEN). Roles: viewers read; editors create and change content; admins manage users,
read the audit trail and deleted rows, and purge. API keys carry `read`/`write` scopes.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from graph.core.errors import Forbidden, Unauthenticated


class IsAuthenticated(BasePermission):
    message = "authentication required"
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return bool(info.context.viewer.is_authenticated)


class _RoleRule(BasePermission):
    """A rule about an authenticated caller; anonymous callers are UNAUTHENTICATED first."""

    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = info.context.viewer
        if not viewer.is_authenticated:
            raise Unauthenticated(viewer.why_anonymous)
        return bool(self.allows(viewer, source))

    def allows(self, viewer: Any, source: Any) -> bool:
        raise NotImplementedError

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "not allowed")


class CanWrite(_RoleRule):
    """Mutations that change content: EDITOR or ADMIN, through a write-scoped credential."""

    message = "this needs the EDITOR or ADMIN role and a credential with the write scope"

    def allows(self, viewer: Any, source: Any) -> bool:
        return viewer.can_write and viewer.is_editor


class CanWriteOwnAccount(_RoleRule):
    """Changes to one's own account (password, API keys): any role, write scope."""

    message = "this needs a credential with the write scope"

    def allows(self, viewer: Any, source: Any) -> bool:
        return viewer.can_write


class CanRecordUse(_RoleRule):
    """Bookkeeping every member does by reading (counting a resource's use): any role,
    through a write-scoped credential."""

    message = "this needs a credential with the write scope"

    def allows(self, viewer: Any, source: Any) -> bool:
        return viewer.can_write


class IsAdmin(_RoleRule):
    message = "this needs the ADMIN role"

    def allows(self, viewer: Any, source: Any) -> bool:
        return viewer.is_admin


class IsAdminWriter(_RoleRule):
    """Administrative mutations: ADMIN through a write-scoped credential."""

    message = "this needs the ADMIN role and a credential with the write scope"

    def allows(self, viewer: Any, source: Any) -> bool:
        return viewer.is_admin and viewer.can_write


class IsSelfOrAdmin(_RoleRule):
    """Fields about a user that only that user and admins may read (e.g. `User.email`)."""

    message = "only the user and admins may read this"

    def allows(self, viewer: Any, source: Any) -> bool:
        return viewer.is_admin or str(source.id) == str(viewer.user_id)


def needs_caller(permission_classes: list[type[BasePermission]]) -> bool:
    """Whether a field with these permissions refuses every anonymous caller."""
    return any(issubclass(p, (IsAuthenticated, _RoleRule)) for p in permission_classes)
