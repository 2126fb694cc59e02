"""`collectionUpdate`: change a collection's fields, if nobody changed it since it was read."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import relay

from graph.collection.types import Collection
from graph.core.enums import Visibility
from graph.core.errors import (
    AlreadyExists,
    NotFound,
    PermissionDenied,
    ValidationError,
    VersionConflict,
)
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, diff, run, snapshot
from graph.core.permissions import CanWrite
from persistence import errors as domain
from persistence.collection.repository import CollectionRepository

UPDATABLE = ("name", "description", "color", "icon", "visibility")
REQUIRED = ("name", "description", "visibility")


@strawberry.input(description="Fields to change; leave out what stays the same.")
class CollectionUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The collection.")
    expected_version: int = strawberry.field(
        description="The version you read; a newer one gives VersionConflict."
    )
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="New name (unique among its live siblings)."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="New description."
    )
    color: str | None = strawberry.field(
        default=strawberry.UNSET, description="New `#rrggbb` colour; null removes it."
    )
    icon: str | None = strawberry.field(
        default=strawberry.UNSET, description="New icon name; null removes it."
    )
    visibility: Visibility | None = strawberry.field(
        default=strawberry.UNSET, description="New visibility (only the owner or an admin)."
    )


@strawberry.type(description="The collection was changed.")
class CollectionUpdateSuccess:
    collection: Collection = strawberry.field(description="The collection as it is now.")


CollectionUpdateResult = Annotated[
    CollectionUpdateSuccess
    | ValidationError
    | NotFound
    | VersionConflict
    | PermissionDenied
    | AlreadyExists,
    strawberry.union("CollectionUpdateResult", description="The changed collection, or why not."),
]


def _changes(input: CollectionUpdateInput) -> dict[str, Any]:
    """The fields the client set; explicit nulls only where null means something."""
    changes: dict[str, Any] = {}
    for name in UPDATABLE:
        value = getattr(input, name)
        if value is strawberry.UNSET:
            continue
        if value is None and name in REQUIRED:
            raise domain.ValidationError(name, f"{name} cannot be null")
        changes[name] = value
    return changes


async def resolve(info: strawberry.Info, input: CollectionUpdateInput) -> CollectionUpdateResult:
    async def work(m: MutationContext) -> CollectionUpdateSuccess | PermissionDenied:
        collections = CollectionRepository(m.session, m.scope)
        collection_id = row_id(input.id, "Collection", field="id")
        current = await collections.get(collection_id)
        before = snapshot(current, UPDATABLE)
        changes = _changes(input)
        owns = current.owner_id == m.viewer.user_id or m.viewer.is_admin
        if "visibility" in changes and not owns:
            return PermissionDenied(message="only the owner or an admin may change visibility")
        updated = await collections.update(
            collection_id, expected_version=input.expected_version, **changes
        )
        changed = diff(before, snapshot(updated, UPDATABLE))
        await m.audit("collectionUpdate", "Collection", collection_id, changed)
        return CollectionUpdateSuccess(collection=updated)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Change a collection (EDITOR or ADMIN), checking `expectedVersion`; only its owner or "
        "an admin may change its visibility. To re-parent it, use `collectionMove`."
    ),
    permission_classes=[CanWrite],
)
