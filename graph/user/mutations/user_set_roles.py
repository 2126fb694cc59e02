"""`userSetRoles`: replace a user's roles; an admin cannot drop their own ADMIN role, and
nobody can drop the organization's last active admin's."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from graph.core.enums import Role
from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run
from graph.core.permissions import IsAdminWriter
from graph.user.loaders import RolesByUserIdLoader
from graph.user.types import User
from persistence import errors as domain
from persistence.user import models
from persistence.user.repository import UserRepository


@strawberry.input(description="A user and the complete set of roles they should have.")
class UserSetRolesInput:
    id: relay.GlobalID = strawberry.field(description="The user.")
    roles: list[Role] = strawberry.field(
        description="The new roles, replacing the old ones; at least one."
    )


@strawberry.type(description="The user's roles were replaced.")
class UserSetRolesSuccess:
    user: User = strawberry.field(description="The user, with the new roles.")


UserSetRolesResult = Annotated[
    UserSetRolesSuccess | ValidationError | NotFound,
    strawberry.union("UserSetRolesResult", description="The user with new roles, or why not."),
]


async def resolve(info: strawberry.Info, input: UserSetRolesInput) -> UserSetRolesResult:
    async def work(m: MutationContext) -> UserSetRolesSuccess:
        user_id = row_id(input.id, "User", field="id")
        if not input.roles:
            raise domain.ValidationError("roles", "a user needs at least one role")
        if user_id == m.viewer.user_id and models.Role.ADMIN not in input.roles:
            # so that an organization does not lose its last admin by accident
            raise domain.ValidationError("roles", "admins cannot remove their own ADMIN role")
        users = UserRepository(m.session, m.scope)
        if models.Role.ADMIN not in input.roles:
            await users.ensure_an_admin_remains(without=user_id, field="roles")
        user = await users.lock(user_id)  # so `before` is what this change replaces
        before = (await users.roles_of([user_id]))[user_id]
        after = await users.set_roles(user_id, input.roles)
        info.context.loaders.get(RolesByUserIdLoader).clear(user_id).prime(user_id, after)
        changes = diff({"roles": [r.value for r in before]}, {"roles": [r.value for r in after]})
        await m.audit("userSetRoles", "User", user_id, changes)
        return UserSetRolesSuccess(user=user)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Replace a user's roles (ADMIN, write scope). Admins cannot remove their own "
    "ADMIN role, and the organization's last active admin keeps theirs (ValidationError on "
    "`roles`). Concurrent changes of one user apply one after the other: the last one wins.",
    permission_classes=[IsAdminWriter],
)
