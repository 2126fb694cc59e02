"""The traversal test graph (tests/fixtures/knowledge_graphs.py), committed for API tests."""

from __future__ import annotations

import uuid
from typing import Any

from persistence.database import Database
from persistence.scope import Scope
from tests.fixtures.knowledge_graphs import Shapes, build_shapes
from tests.graph.knowledge.conftest import edge_id, node_id


async def committed_shapes(database: Database, organization_id: uuid.UUID) -> Shapes:
    async with database.transaction(organization_id) as session:
        return await build_shapes(session, Scope.system(organization_id))


def ids_of(shapes: Shapes, *labels: str) -> list[str]:
    """The global ids of nodes by label."""
    return [node_id(shapes.nodes[label]) for label in labels]


def edge_ids_of(shapes: Shapes, *names: str) -> list[str]:
    """The global ids of edges by name."""
    return [edge_id(shapes.edges[name]) for name in names]


def bad_input(result: dict[str, Any]) -> str:
    """The argument a single BAD_USER_INPUT error names."""
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return error["extensions"]["field"]
