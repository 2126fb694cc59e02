"""A root field that reads one row of one type by its global id (`conversation(id)`).

Declared (`RowById`: the type's name and by-id loader) so the compiled read path answers it
as the resolver does: the type's loader relation, the row the caller may see, or null.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strawberry import relay

from graph.core.ids import query_row_id

ROW_BY_ID = "khub.row_by_id"
"""The metadata key of a `RowById` declaration."""


@dataclass(frozen=True)
class RowById:
    type_name: str
    loader: type[Any]

    @property
    def metadata(self) -> dict[str, Any]:
        return {ROW_BY_ID: self}

    async def resolve(self, info: Any, id: relay.GlobalID) -> Any:
        """The row, or None when it is absent or not visible; another type's id is
        BAD_USER_INPUT."""
        row_id = query_row_id(id, self.type_name, field="id")
        return await info.context.loaders.get(self.loader).load(row_id)
