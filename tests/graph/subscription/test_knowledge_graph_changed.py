"""`knowledgeGraphChanged`: node and edge changes, narrowed by node and edge types."""

from __future__ import annotations

from typing import Any

from tests.fixtures.websocket import Socket
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only
from tests.graph.subscription.conftest import listening

GRAPH_CHANGED = """
subscription Graph($nodeTypes: [String!], $edgeTypes: [String!]) {
  knowledgeGraphChanged(nodeTypes: $nodeTypes, edgeTypes: $edgeTypes) {
    kind version node { label nodeType } edge { type source { label } target { label } }
  }
}
"""
NODE_CREATE = """
mutation Node($input: KnowledgeNodeCreateInput!) {
  knowledgeNodeCreate(input: $input) { ... on KnowledgeNodeCreateSuccess { node { id } } }
}
"""
EDGE_CREATE = """
mutation Edge($input: KnowledgeEdgeCreateInput!) {
  knowledgeEdgeCreate(input: $input) { __typename }
}
"""


async def node(gql: GraphQLClient, token: str, label: str, node_type: str) -> str:
    result = await gql(NODE_CREATE, {"input": {"label": label, "nodeType": node_type}}, token=token)
    return only(result, "knowledgeNodeCreate")["node"]["id"]


async def test_node_and_edge_changes_arrive_narrowed_by_their_types(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    async with Socket(app) as socket:
        await socket.init({"token": world.viewer.token})
        variables = {"nodeTypes": ["person"], "edgeTypes": ["knows"]}
        await socket.subscribe("1", GRAPH_CHANGED, variables)
        await listening(app)

        await node(gql, world.editor.token, "Kafka", "concept")
        ada = await node(gql, world.editor.token, "Ada", "person")
        bob = await node(gql, world.editor.token, "Bob", "person")
        edge = {"sourceId": ada, "targetId": bob, "type": "knows"}
        await gql(EDGE_CREATE, {"input": edge}, token=world.editor.token)

        changes = [
            (await socket.receive())["payload"]["data"]["knowledgeGraphChanged"] for _ in range(3)
        ]
        assert await socket.nothing_within(0.3)
    assert changes == [
        {
            "kind": "CREATED",
            "version": 1,
            "node": {"label": "Ada", "nodeType": "person"},
            "edge": None,
        },
        {
            "kind": "CREATED",
            "version": 1,
            "node": {"label": "Bob", "nodeType": "person"},
            "edge": None,
        },
        {
            "kind": "CREATED",
            "version": 1,
            "node": None,
            "edge": {"type": "knows", "source": {"label": "Ada"}, "target": {"label": "Bob"}},
        },
    ]
