"""The user domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.user.mutations import (
    api_key_create,
    api_key_revoke,
    login,
    logout,
    password_change,
    user_activate,
    user_create,
    user_deactivate,
    user_set_roles,
    user_unlock,
)


@strawberry.type
class UserMutations:
    login = login.field
    logout = logout.field
    password_change = password_change.field
    api_key_create = api_key_create.field
    api_key_revoke = api_key_revoke.field
    user_create = user_create.field
    user_set_roles = user_set_roles.field
    user_deactivate = user_deactivate.field
    user_activate = user_activate.field
    user_unlock = user_unlock.field
