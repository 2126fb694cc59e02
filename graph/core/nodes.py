"""Relay global ids: `Node` types find their rows through their by-id loaders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from strawberry import relay
from strawberry.types import Info

from graph.core.loaders import RepositoryLoader, parse_uuid


class LoadedNode(relay.Node):
    """A `Node` whose `node(id)` lookups go through the type's by-id loader (batched)."""

    loader: ClassVar[type[RepositoryLoader[Any, Any]]]

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        loader = info.context.loaders.get(cls.loader)
        ids = [parse_uuid(node_id) for node_id in node_ids]
        valid = [i for i in ids if i is not None]
        loaded = dict(zip(valid, await loader.load_many(valid), strict=True))
        found = [loaded.get(i) if i is not None else None for i in ids]
        if required and any(f is None for f in found):
            raise ValueError("a node with this id does not exist")
        return found
