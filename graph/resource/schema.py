"""The resource domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.resource.mutations import (
    resource_create,
    resource_delete,
    resource_link,
    resource_unlink,
    resource_update,
    resource_use,
)


@strawberry.type
class ResourceMutations:
    resource_create = resource_create.field
    resource_update = resource_update.field
    resource_delete = resource_delete.field
    resource_use = resource_use.field
    resource_link = resource_link.field
    resource_unlink = resource_unlink.field
