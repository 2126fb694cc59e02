"""Arguments of the user queries."""

from __future__ import annotations

import enum

import strawberry

from graph.core.enums import Role
from graph.core.pagination import OrderDirection
from persistence.user import repository


@strawberry.enum(description="What users can be ordered by.")
class UserOrderField(enum.Enum):
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"
    USERNAME = "username"


@strawberry.input(description="The order of a user list.")
class UserOrder:
    field: UserOrderField = strawberry.field(
        default=UserOrderField.USERNAME, description="The sort key."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Which users to list; all conditions must hold.")
class UserFilter:
    search: str | None = strawberry.field(
        default=None, description="Substring of the username or full name."
    )
    role: Role | None = strawberry.field(default=None, description="Only users with this role.")
    is_active: bool | None = strawberry.field(default=None, description="Active or deactivated.")

    def to_domain(self) -> repository.UserFilter:
        return repository.UserFilter(search=self.search, role=self.role, is_active=self.is_active)
