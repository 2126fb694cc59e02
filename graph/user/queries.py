"""Root query fields of the user domain."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.arguments import FILTER, ORDER, After, Before, First, IncludeDeleted, Last
from graph.core.pagination import Connection, RootList, ordered_by
from graph.core.permissions import IsAuthenticated
from graph.user.inputs import UserFilter, UserOrder
from graph.user.types import ApiKey, User
from persistence.pagination import Order
from persistence.user.credentials import ApiKeyRepository
from persistence.user.repository import UserRepository

USERS = RootList(UserRepository, ordered_by("username"))
API_KEYS = RootList(
    ApiKeyRepository, lambda args: Order("created_at", descending=True), filter=lambda args: None
)


@strawberry.type
class UserQueries:
    @strawberry.field(description="The caller, or null when not logged in.")
    def viewer(self, info: strawberry.Info) -> User | None:
        return info.context.viewer.user

    @strawberry.field(
        description="The organization's users.",
        permission_classes=[IsAuthenticated],
        metadata=USERS.metadata,
    )
    async def users(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[UserFilter | None, FILTER] = None,
        order_by: Annotated[UserOrder | None, ORDER] = None,
        include_deleted: IncludeDeleted = False,
    ) -> Connection[User]:
        return await USERS.resolve(
            info,
            {
                "first": first,
                "after": after,
                "last": last,
                "before": before,
                "filter": filter,
                "order_by": order_by,
                "include_deleted": include_deleted,
            },
        )

    @strawberry.field(
        description="The caller's API keys (admins: everyone's).",
        permission_classes=[IsAuthenticated],
        metadata=API_KEYS.metadata,
    )
    async def api_keys(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ApiKey]:
        return await API_KEYS.resolve(
            info, {"first": first, "after": after, "last": last, "before": before}
        )
