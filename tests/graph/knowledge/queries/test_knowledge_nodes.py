"""Reading the knowledge graph: node and edge lists, and the edges around each node."""

from __future__ import annotations

from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only
from tests.graph.knowledge.conftest import Given, node_id

NODES = """
query Nodes($type: String) {
  knowledgeNodes(filter: {nodeType: $type}, orderBy: {field: LABEL}) {
    totalCount
    edges { node { label nodeType } }
  }
}
"""

EDGES = """
query Edges($source: ID, $deleted: Boolean! = false) {
  knowledgeEdges(filter: {sourceId: $source}, orderBy: {field: WEIGHT}, includeDeleted: $deleted) {
    totalCount
    edges { node { type weight source { label } target { label } } }
  }
}
"""

AROUND = """
{
  knowledgeNodes(orderBy: {field: LABEL}) {
    edges { node {
      label
      outgoing { type target { label } }
      incoming { type source { label } }
    } }
  }
}
"""


def labels(result: dict) -> list[str]:
    return [edge["node"]["label"] for edge in only(result, "knowledgeNodes")["edges"]]


async def test_nodes_are_filtered_by_type(gql: GraphQLClient, world: World, given: Given) -> None:
    await given.nodes("Graphs", "Vectors", node_type="concept")
    await given.nodes("Ada", node_type="person")

    concepts = await gql(NODES, {"type": "concept"}, token=world.viewer.token)
    people = await gql(NODES, {"type": "person"}, token=world.viewer.token)
    every = await gql(NODES, token=world.viewer.token)

    assert labels(concepts) == ["Graphs", "Vectors"]
    assert only(concepts, "knowledgeNodes")["totalCount"] == 2
    assert labels(people) == ["Ada"]
    assert labels(every) == ["Ada", "Graphs", "Vectors"]


async def test_edges_are_filtered_by_source(gql: GraphQLClient, world: World, given: Given) -> None:
    a, b, c = await given.nodes("A", "B", "C")
    await given.edge(a, b, "depends_on", weight=0.9)
    await given.edge(a, c, "mentions", weight=0.1)
    await given.edge(b, c, "depends_on", weight=0.5)

    result = await gql(EDGES, {"source": node_id(a)}, token=world.viewer.token)

    assert only(result, "knowledgeEdges") == {
        "totalCount": 2,
        "edges": [
            {
                "node": {
                    "type": "mentions",
                    "weight": 0.1,
                    "source": {"label": "A"},
                    "target": {"label": "C"},
                }
            },
            {
                "node": {
                    "type": "depends_on",
                    "weight": 0.9,
                    "source": {"label": "A"},
                    "target": {"label": "B"},
                }
            },
        ],
    }


async def test_each_node_lists_its_outgoing_and_incoming_edges(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b, c = await given.nodes("A", "B", "C")
    await given.edge(a, b, "depends_on", weight=0.2)
    await given.edge(a, c, "mentions", weight=0.8)
    await given.edge(b, c, "depends_on")

    result = await gql(AROUND, token=world.viewer.token)

    assert [edge["node"] for edge in only(result, "knowledgeNodes")["edges"]] == [
        {
            "label": "A",
            "outgoing": [
                {"type": "mentions", "target": {"label": "C"}},
                {"type": "depends_on", "target": {"label": "B"}},
            ],
            "incoming": [],
        },
        {
            "label": "B",
            "outgoing": [{"type": "depends_on", "target": {"label": "C"}}],
            "incoming": [{"type": "depends_on", "source": {"label": "A"}}],
        },
        {
            "label": "C",
            "outgoing": [],
            "incoming": [
                {"type": "depends_on", "source": {"label": "B"}},
                {"type": "mentions", "source": {"label": "A"}},
            ],
        },
    ]


async def test_edges_of_a_deleted_node_are_hidden_everywhere_until_it_is_restored(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b, c = await given.nodes("A", "B", "C")
    await given.edge(a, b, "depends_on")
    await given.edge(b, c, "depends_on")
    await given.edge(a, c, "mentions")
    await given.deleted(b)

    around = await gql(AROUND, token=world.viewer.token)
    edges = await gql(EDGES, token=world.viewer.token)
    with_deleted = await gql(EDGES, {"deleted": True}, token=world.admin.token)

    assert [edge["node"] for edge in only(around, "knowledgeNodes")["edges"]] == [
        {
            "label": "A",
            "outgoing": [{"type": "mentions", "target": {"label": "C"}}],
            "incoming": [],
        },
        {
            "label": "C",
            "outgoing": [],
            "incoming": [{"type": "mentions", "source": {"label": "A"}}],
        },
    ]
    for result in (edges, with_deleted):
        listed = only(result, "knowledgeEdges")
        assert listed["totalCount"] == 1
        assert [e["node"]["type"] for e in listed["edges"]] == ["mentions"]

    restored = await gql(
        "mutation R($id: ID!) { knowledgeNodeRestore(input: {id: $id}) { __typename } }",
        {"id": node_id(b)},
        token=world.admin.token,
    )
    assert only(restored, "knowledgeNodeRestore") == {"__typename": "KnowledgeNodeRestoreSuccess"}
    again = await gql(EDGES, token=world.viewer.token)
    assert only(again, "knowledgeEdges")["totalCount"] == 3


async def test_deleted_nodes_are_listed_for_admins_only(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    gone, _ = await given.nodes("Gone", "Here")
    await given.deleted(gone)
    query = "{ knowledgeNodes(includeDeleted: true) { edges { node { label } } } }"

    admin = await gql(query, token=world.admin.token)
    editor = await gql(query, token=world.editor.token)

    assert sorted(labels(admin)) == ["Gone", "Here"]
    assert [e["extensions"]["code"] for e in editor["errors"]] == ["FORBIDDEN"]


async def test_anonymous_callers_must_authenticate(gql: GraphQLClient) -> None:
    result = await gql(NODES)

    assert "data" not in result
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
