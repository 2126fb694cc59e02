"""A root field that reads one row of one type by its global id (`conversation(id)`).

Declared (`RowById`: the type's name and by-id loader) so the compiled read path answers it
as the resolver does: the type's loader relation, the row the caller may see, or null
(also for an id of another type, as `node(id)`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from strawberry import relay

from graph.core.loaders import parse_uuid

ROW_BY_ID = "khub.row_by_id"
"""The metadata key of a `RowById` declaration."""


@dataclass(frozen=True)
class RowById:
    type_name: str
    loader: type[Any]

    @property
    def metadata(self) -> dict[str, Any]:
        return {ROW_BY_ID: self}

    def row_id(self, id: relay.GlobalID) -> uuid.UUID | None:
        """The row id, or None for an id of another type (which names no such row, as
        `node(id)` answers it)."""
        return parse_uuid(id.node_id) if id.type_name == self.type_name else None

    async def resolve(self, info: Any, id: relay.GlobalID) -> Any:
        """The row, or None when it is absent, not visible, or the id is another type's."""
        row_id = self.row_id(id)
        if row_id is None:
            return None
        return await info.context.loaders.get(self.loader).load(row_id)
