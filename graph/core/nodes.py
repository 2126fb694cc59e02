"""Relay global ids: `Node` types find their rows through their by-id loaders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.types import Info
from strawberry.types.cast import cast as strawberry_cast

from graph.core.cost import weigh
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


NODES = "khub.nodes"
"""The metadata key of `node`/`nodes`: which argument holds the global ids, and whether it is
a list. The compiled read path finds each type's rows through the type's `loader`, as here."""

NODE = {NODES: ("id", False)}
MANY_NODES = {NODES: ("ids", True), **weigh(size_argument="ids")}


def _node_type(info: Info, global_id: relay.GlobalID) -> type[relay.Node] | None:
    """The Node type a global id names; None for a type this schema does not have."""
    try:
        return global_id.resolve_type(info)
    except relay.GlobalIDValueError:
        return None


async def load_nodes(info: Info, ids: list[relay.GlobalID]) -> list[relay.Node | None]:
    """Objects for global ids in the order asked, one loader batch per type. An id of an
    unknown type names nothing, so it is null, like an absent row (Relay's `node` rule);
    ids that are not global ids at all never get here (`input_check`: BAD_USER_INPUT)."""
    by_type: dict[type[relay.Node], list[str]] = {}
    for global_id in ids:
        if (node_type := _node_type(info, global_id)) is not None:
            by_type.setdefault(node_type, []).append(global_id.node_id)
    loaded: dict[tuple[type[relay.Node], str], Any] = {}
    for node_type, node_ids in by_type.items():
        rows = await node_type.resolve_nodes(info=info, node_ids=node_ids, required=False)
        for node_id, row in zip(node_ids, rows, strict=True):
            loaded[node_type, node_id] = None if row is None else strawberry_cast(node_type, row)
    return [
        loaded.get((node_type, g.node_id)) if (node_type := _node_type(info, g)) else None
        for g in ids
    ]


async def resolve_node(
    info: Info,
    id: Annotated[relay.GlobalID, strawberry.argument(description="The ID of the object.")],
) -> relay.Node | None:
    (found,) = await load_nodes(info, [id])
    return found


async def resolve_nodes(
    info: Info,
    ids: Annotated[
        list[relay.GlobalID], strawberry.argument(description="The IDs of the objects.")
    ],
) -> list[relay.Node | None]:
    return await load_nodes(info, ids)
