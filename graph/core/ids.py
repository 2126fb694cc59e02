"""Global ids in arguments: decoded to row ids, checked against the type they must name."""

from __future__ import annotations

import uuid

from strawberry import relay

from graph.core.errors import BadUserInput
from persistence.errors import ValidationError


def row_id(global_id: relay.GlobalID, type_name: str, *, field: str) -> uuid.UUID:
    """The row id inside `global_id`; a ValidationError naming `field` if it is not a
    `type_name` id (mutations turn that into their ValidationError result)."""
    try:
        if global_id.type_name != type_name:
            raise ValueError(global_id.type_name)
        return uuid.UUID(global_id.node_id)
    except (ValueError, AttributeError) as exc:
        raise ValidationError(field, f"{field} must be the id of a {type_name}") from exc


def query_row_id(
    global_id: relay.GlobalID | None, type_name: str, *, field: str
) -> uuid.UUID | None:
    """The same for query arguments, where a bad id is a BAD_USER_INPUT error."""
    if global_id is None:
        return None
    try:
        return row_id(global_id, type_name, field=field)
    except ValidationError as error:
        raise BadUserInput(error.message, field) from error
