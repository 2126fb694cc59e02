"""`collectionMove` fired truly at once: X under Y and Y under X, two HTTP requests through
the app on their own connections, 20 rounds in a row. The tree must never get a cycle."""

from __future__ import annotations

import asyncio
from typing import Any

from persistence.collection.models import Collection
from tests.graph.collection.mutations.conftest import Given, collection_id
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only

ROUNDS = 20

MOVE = """
mutation Move($input: CollectionMoveInput!) {
  collectionMove(input: $input) {
    __typename
    ... on ValidationError { field }
  }
}
"""

ANCESTRY = """
query Ancestry($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Collection { id ancestors { id } } }
}
"""


def move(collection: Collection, parent: Collection) -> dict[str, Any]:
    return {
        "input": {
            "id": collection_id(collection),
            "expectedVersion": collection.version,
            "parentId": collection_id(parent),
        }
    }


async def test_moving_two_collections_under_each_other_at_once_never_makes_a_cycle(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    await gql(MOVE)  # parsed once beforehand, so both requests of round one start together
    for round in range(ROUNDS):
        x = await given.collection(f"X{round}")
        y = await given.collection(f"Y{round}")
        x_id, y_id = collection_id(x), collection_id(y)

        results = await asyncio.gather(
            gql(MOVE, move(x, y), token=world.editor.token),
            gql(MOVE, move(y, x), token=world.admin.token),
        )

        outcomes = sorted(only(result, "collectionMove")["__typename"] for result in results)
        assert outcomes == ["CollectionMoveSuccess", "ValidationError"], results
        ancestry = await gql(ANCESTRY, {"ids": [x_id, y_id]}, token=world.admin.token)
        above = {
            node["id"]: [a["id"] for a in node["ancestors"]] for node in ancestry["data"]["nodes"]
        }
        # one of them is now the other's parent, and that one is still at the top level
        assert (above[x_id], above[y_id]) in (([], [x_id]), ([y_id], [])), above
