"""The user domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.user.mutations import login, logout


@strawberry.type
class UserMutations:
    login = login.field
    logout = logout.field
