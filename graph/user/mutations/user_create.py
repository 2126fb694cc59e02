"""`userCreate`: an admin opens an account in their organization."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.enums import Role
from graph.core.errors import AlreadyExists, ValidationError
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import IsAdminWriter
from graph.user.types import User
from persistence import errors as domain
from persistence.user import identity, models
from persistence.user.repository import UserRepository

AUDITED = ("username", "email", "full_name", "is_active")


@strawberry.input(description="A new account.")
class UserCreateInput:
    username: str = strawberry.field(
        description="Login name: 3-40 letters, digits, `_`, `.` or `-`; unique ignoring case."
    )
    email: str = strawberry.field(description="Email address; unique ignoring case.")
    password: str = strawberry.field(
        description="Initial password: 8 characters or more, at most 72 bytes in UTF-8."
    )
    full_name: str = strawberry.field(default="", description="Name to display.")
    roles: list[Role] = strawberry.field(
        default_factory=lambda: [models.Role.VIEWER], description="At least one role."
    )


@strawberry.type(description="The account was created; the user can log in now.")
class UserCreateSuccess:
    user: User = strawberry.field(description="The new user.")


UserCreateResult = Annotated[
    UserCreateSuccess | ValidationError | AlreadyExists,
    strawberry.union("UserCreateResult", description="The new user, or why not."),
]


async def resolve(info: strawberry.Info, input: UserCreateInput) -> UserCreateResult:
    async def work(m: MutationContext) -> UserCreateSuccess:
        if not input.roles:
            raise domain.ValidationError("roles", "a user needs at least one role")
        user = await identity.create_user(
            UserRepository(m.session, m.scope),
            username=input.username,
            email=input.email,
            password=input.password,
            full_name=input.full_name,
            roles=input.roles,
            settings=m.context.db.settings,
        )
        roles = sorted({models.Role(role) for role in input.roles})
        changes = diff({}, {**snapshot(user, AUDITED), "roles": [r.value for r in roles]})
        await m.audit("userCreate", "User", user.id, changes)
        return UserCreateSuccess(user=user)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description="Create a user in the caller's organization (ADMIN, write scope).",
    permission_classes=[IsAdminWriter],
)
