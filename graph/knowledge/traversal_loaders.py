"""Loaders of graph walks: every node of a response asking for its neighbors, in one CTE."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.loaders import RepositoryLoader
from persistence.knowledge.traversal import KnowledgeTraversal, NeighborPage, NeighborQuery
from persistence.scope import Scope


class NeighborsByNodeLoader(RepositoryLoader[tuple[uuid.UUID, NeighborQuery], NeighborPage]):
    """Keys are `(node id, query)`: one recursive CTE per distinct query in the batch (in
    practice one, since the nodes of a list level share the field's arguments)."""

    async def fetch(
        self, session: AsyncSession, scope: Scope, keys: list[tuple[uuid.UUID, NeighborQuery]]
    ) -> list[NeighborPage]:
        traversal = KnowledgeTraversal(session, scope)
        pages: dict[tuple[uuid.UUID, NeighborQuery], NeighborPage] = {}
        for query in dict.fromkeys(query for _, query in keys):
            starts = list(dict.fromkeys(node for node, q in keys if q == query))
            found = await traversal.neighbors(starts, query)
            pages.update({(node, query): page for node, page in found.items()})
        return [pages[key] for key in keys]
