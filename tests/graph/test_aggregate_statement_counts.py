"""Aggregates are batched per response: `Tag.documentCount`, `Collection.documentCount`,
`KnowledgeNode.degree` and `Document.knowledgeNodes` (and `similarNodes` with nested
relations) cost the same statements for one row or a page of them, and count only what the
caller may see."""

from __future__ import annotations

from typing import Any

import pytest

from persistence.collection.repository import CollectionRepository
from persistence.database import Database
from persistence.document.repository import DocumentRepository, TagRepository
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid, only
from tests.graph.knowledge.conftest import Given

ROWS = 60

TAGS = """
query ($first: Int) { tags(first: $first) { edges { node { name documentCount } } } }
"""

COLLECTIONS = """
query ($first: Int) {
  collections(first: $first, filter: {rootsOnly: true}) {
    edges { node {
      name
      documentCount
      total: documentCount(includeDescendants: true)
      children { edges { node { total: documentCount(includeDescendants: true) } } }
    } }
  }
}
"""

NODES = """
query ($first: Int) {
  knowledgeNodes(first: $first) {
    edges { node { label degree out: degree(direction: OUT) in: degree(direction: IN) } }
  }
}
"""

DOCUMENTS = """
query ($first: Int) {
  documents(first: $first) { edges { node { title knowledgeNodes { label degree } } } }
}
"""


@pytest.fixture
async def corpus(world: World, database: Database) -> None:
    """ROWS of each: tags on documents, three-level collection trees with documents at every
    level, and nodes taken from the documents, joined in a ring."""
    editor = world.editor.user
    async with database.transaction() as session:
        scope = Scope.system(world.organization.id)
        collections = CollectionRepository(session, scope)
        roots = await collections.create_many(
            [{"name": f"Root {i:03d}", "owner_id": editor.id} for i in range(ROWS)]
        )
        children = await collections.create_many(
            [{"name": "Child", "parent_id": r.id, "owner_id": editor.id} for r in roots]
        )
        leaves = await collections.create_many(
            [{"name": "Leaf", "parent_id": c.id, "owner_id": editor.id} for c in children]
        )
        documents = await DocumentRepository(session, scope).create_many(
            [
                {"title": f"Doc {i:03d} {level}", "owner_id": editor.id, "collection_id": c.id}
                for level, tree in enumerate((roots, children, leaves))
                for i, c in enumerate(tree)
            ]
        )
        tags = TagRepository(session, scope)
        created = await tags.ensure([f"tag{i:03d}" for i in range(ROWS)])
        for i, document in enumerate(documents[:ROWS]):
            await tags.tag_document(document.id, [created[i].id, created[(i + 1) % ROWS].id])
        nodes = await KnowledgeNodeRepository(session, scope).create_many(
            [
                {
                    "label": f"N{i:03d}",
                    "node_type": "concept",
                    "source_document_id": d.id,
                    "embedding": [1.0, i / ROWS] + [0.0] * (EMBEDDING_DIMENSIONS - 2),
                }
                for i, d in enumerate(documents[:ROWS])
            ]
        )
        await KnowledgeEdgeRepository(session, scope).create_many(
            [
                {"source_id": nodes[i].id, "target_id": nodes[(i + 1) % ROWS].id, "edge_type": "x"}
                for i in range(ROWS)
            ]
        )


@pytest.fixture
def given(database: Database, world: World) -> Given:
    return Given(database, world)


async def _count(
    gql: GraphQLClient, statements: StatementCounter, query: str, first: int, token: str
) -> tuple[int, dict[str, Any]]:
    await gql(query, {"first": first}, token=token)  # the steady state: a known caller
    statements.reset()
    result = await gql(query, {"first": first}, token=token)
    assert "errors" not in result, result["errors"]
    return statements.count, result["data"]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("tags", TAGS),
        ("collections", COLLECTIONS),
        ("knowledgeNodes", NODES),
        ("documents", DOCUMENTS),
    ],
)
async def test_aggregate_statements_do_not_grow_with_the_page_size(
    gql: GraphQLClient,
    world: World,
    corpus: None,
    statements: StatementCounter,
    name: str,
    query: str,
) -> None:
    small, small_data = await _count(gql, statements, query, 1, world.editor.token)
    large, large_data = await _count(gql, statements, query, 50, world.editor.token)

    assert len(small_data[name]["edges"]) == 1
    assert len(large_data[name]["edges"]) == 50
    assert small == large, f"{name}: {small} statements at first=1, {large} at first=50"


SIMILAR = """
query ($first: Int, $vector: [Float!]) {
  similarNodes(vector: $vector, first: $first) {
    similarity
    node { label degree sourceDocument { title tags { documentCount } } }
  }
}
"""


async def test_similar_nodes_cost_the_same_statements_for_one_or_fifty(
    gql: GraphQLClient, world: World, corpus: None, statements: StatementCounter
) -> None:
    vector = [1.0] + [0.0] * (EMBEDDING_DIMENSIONS - 1)
    counts, found = [], []
    for first in (1, 50):
        statements.reset()
        result = await gql(SIMILAR, {"first": first, "vector": vector}, token=world.editor.token)
        counts.append(statements.count)
        found.append(only(result, "similarNodes"))

    assert [len(f) for f in found] == [1, 50]
    assert found[0][0]["node"]["label"] == "N000" and found[0][0]["similarity"] == 1.0
    assert counts[0] == counts[1]


async def test_the_counts_of_the_corpus_are_what_it_holds(
    gql: GraphQLClient, world: World, corpus: None
) -> None:
    tags = only(await gql(TAGS, {"first": 2}, token=world.viewer.token), "tags")
    trees = only(await gql(COLLECTIONS, {"first": 1}, token=world.viewer.token), "collections")
    nodes = only(await gql(NODES, {"first": 1}, token=world.viewer.token), "knowledgeNodes")

    assert [e["node"]["documentCount"] for e in tags["edges"]] == [2, 2]
    assert trees["edges"][0]["node"] == {
        "name": "Root 000",
        "documentCount": 1,
        "total": 3,
        "children": {"edges": [{"node": {"total": 2}}]},
    }
    assert nodes["edges"][0]["node"] == {"label": "N000", "degree": 2, "out": 1, "in": 1}


TAG_COUNTS = "{ tags { edges { node { name documentCount } } } }"


async def test_a_tag_counts_the_live_documents_the_caller_can_see(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    shared = await given.document("Shared")
    own_private = await given.document("Mine", owner="editor", visibility="PRIVATE")
    admins_private = await given.document("Admin's", owner="admin", visibility="PRIVATE")
    deleted = await given.document("Gone")
    await given.deleted(deleted)
    async with database.transaction(world.organization.id) as session:
        tags = TagRepository(session, given.scope)
        red, _ = await tags.ensure(["red", "unused"])
        for document in (shared, own_private, admins_private, deleted):
            await tags.tag_document(document.id, [red.id])

    counts = {
        role: {
            e["node"]["name"]: e["node"]["documentCount"]
            for e in only(await gql(TAG_COUNTS, token=member.token), "tags")["edges"]
        }
        for role, member in world.members.items()
    }

    assert counts == {
        "admin": {"red": 3, "unused": 0},
        "editor": {"red": 2, "unused": 0},
        "viewer": {"red": 1, "unused": 0},
    }


COLLECTION = """
query ($id: ID!) {
  node(id: $id) { ... on Collection {
    direct: documentCount
    total: documentCount(includeDescendants: true)
  } }
}
"""


async def test_a_collection_counts_its_documents_and_those_of_the_subtree_the_caller_sees(
    gql: GraphQLClient, world: World, database: Database, given: Given
) -> None:
    async with database.transaction(world.organization.id) as session:
        collections = CollectionRepository(session, given.scope)
        admin, editor = world.admin.user.id, world.editor.user.id
        root = await collections.create(name="Root", owner_id=editor)
        child = await collections.create(name="Child", parent_id=root.id, owner_id=editor)
        grandchild = await collections.create(name="Grand", parent_id=child.id, owner_id=editor)
        hidden = await collections.create(
            name="Hidden", parent_id=root.id, owner_id=admin, visibility="PRIVATE"
        )
        under_hidden = await collections.create(name="Under", parent_id=hidden.id, owner_id=admin)
        gone = await collections.create(name="Gone", parent_id=root.id, owner_id=editor)
        await collections.soft_delete(gone.id)
    for collection in (root, child, grandchild, hidden, under_hidden, gone):
        await given.document(f"In {collection.name}", collection_id=collection.id)
    await given.document("Private", owner="admin", visibility="PRIVATE", collection_id=root.id)
    deleted = await given.document("Deleted", collection_id=grandchild.id)
    await given.deleted(deleted)

    async def counts(collection: Any, member: Any) -> dict[str, int]:
        result = await gql(COLLECTION, {"id": gid("Collection", collection.id)}, token=member.token)
        return only(result, "node")

    assert await counts(root, world.viewer) == {"direct": 1, "total": 3}
    assert await counts(root, world.admin) == {"direct": 2, "total": 6}
    assert await counts(child, world.viewer) == {"direct": 1, "total": 2}
    assert await counts(grandchild, world.viewer) == {"direct": 1, "total": 1}


DEGREES = """
{
  knowledgeNodes(orderBy: {field: LABEL}) {
    edges { node { label degree out: degree(direction: OUT) in: degree(direction: IN) } }
  }
}
"""


async def test_a_node_counts_its_live_edges_in_each_direction(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    a, b, c, gone = await given.nodes("A", "B", "C", "Gone")
    await given.edge(a, b)
    await given.edge(a, c)
    await given.edge(c, a)
    await given.edge(b, gone)
    await given.deleted(await given.edge(b, c))
    await given.deleted(gone)

    result = await gql(DEGREES, token=world.viewer.token)

    assert [e["node"] for e in only(result, "knowledgeNodes")["edges"]] == [
        {"label": "A", "degree": 3, "out": 2, "in": 1},
        {"label": "B", "degree": 1, "out": 0, "in": 1},
        {"label": "C", "degree": 2, "out": 1, "in": 1},
    ]


DOCUMENT_NODES = """
query ($id: ID!) { node(id: $id) { ... on Document { knowledgeNodes { label } } } }
"""


async def test_a_document_lists_its_live_nodes_by_label(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document, other = await given.document("Source"), await given.document("Other")
    _, gone, _ = await given.nodes("Zeta", "Gone", "Alpha", source_document_id=document.id)
    await given.nodes("Elsewhere", source_document_id=other.id)
    await given.deleted(gone)

    result = await gql(
        DOCUMENT_NODES, {"id": gid("Document", document.id)}, token=world.viewer.token
    )

    assert only(result, "node") == {"knowledgeNodes": [{"label": "Alpha"}, {"label": "Zeta"}]}
