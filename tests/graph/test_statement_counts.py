"""No N+1: the statements an operation runs depend on its shape, never on the page size.

Each operation runs at `first: 1` and `first: 100` over more than 100 rows; the SQL
statement counts (a `before_cursor_execute` listener on the engine) must be equal.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from strawberry.relay import to_base64

from persistence.audit.repository import AuditRepository
from persistence.collection.repository import CollectionRepository
from persistence.database import Database
from persistence.document.repository import (
    AnnotationRepository,
    DocumentRepository,
    TagRepository,
)
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from persistence.user.repository import UserRepository
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid

ROWS = 110

DOCUMENTS = """
query ($first: Int) {
  documents(first: $first, orderBy: {field: TITLE}) {
    totalCount
    edges { cursor node {
      title owner { username roles }
      collection { name parent { name } owner { username } }
      tags { name }
      annotations { body author { username } }
    } }
  }
}
"""

COLLECTIONS = """
query ($first: Int) {
  collections(first: $first) {
    edges { node {
      name ancestors { name }
      children(first: 5) { totalCount edges { node { name } } }
      documents(first: 3) { totalCount edges { node { title owner { username } tags { name } } } }
    } }
  }
}
"""

USERS = """
query ($first: Int) {
  users(first: $first) {
    edges { node {
      username roles
      documents(first: 2) { totalCount edges { node { title collection { name } } } }
    } }
  }
}
"""

KNOWLEDGE = """
query ($first: Int) {
  knowledgeNodes(first: $first) {
    edges { node {
      label sourceDocument { title owner { username } }
      outgoing { weight target { label } }
      incoming { type source { label outgoing { weight } } }
    } }
  }
}
"""

AUDIT = """
query ($first: Int) {
  auditEvents(first: $first) { edges { node { action actor { username roles } } } }
}
"""

NODES = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Document { title owner { username } tags { name } }
    ... on KnowledgeNode { label outgoing { target { label } } }
  }
}
"""


@pytest.fixture
async def corpus(world: World, database: Database) -> dict[str, list[uuid.UUID]]:
    """More than 100 of everything, related to each other, committed."""
    editor = world.editor.user
    async with database.transaction() as session:
        scope = Scope.system(world.organization.id)
        users = await UserRepository(session, scope).create_many(
            [
                {"username": f"user{i:03d}", "email": f"u{i}@example.com", "password_hash": "x"}
                for i in range(ROWS)
            ]
        )
        collections = CollectionRepository(session, scope)
        roots = await collections.create_many(
            [{"name": f"Root {i:03d}", "owner_id": editor.id} for i in range(ROWS)]
        )
        children = await collections.create_many(
            [{"name": "Child", "parent_id": r.id, "owner_id": editor.id} for r in roots]
        )
        documents = await DocumentRepository(session, scope).create_many(
            [
                {
                    "title": f"Doc {i:03d}",
                    "content": "some words to annotate",
                    # the admin sorts first among users: give them documents too
                    "owner_id": users[i].id if i % 2 else world.admin.user.id,
                    "collection_id": children[i].id,
                }
                for i in range(ROWS)
            ]
        )
        tags = TagRepository(session, scope)
        red, blue = await tags.ensure(["red", "blue"])
        await AnnotationRepository(session, scope).create_many(
            [
                {
                    "document_id": d.id,
                    "author_id": editor.id,
                    "start_offset": 0,
                    "end_offset": 4,
                    "body": "note",
                }
                for d in documents
            ]
        )
        for document in documents[:ROWS]:
            await tags.tag_document(document.id, [red.id, blue.id])
        nodes = await KnowledgeNodeRepository(session, scope).create_many(
            [
                {"label": f"N{i:03d}", "node_type": "concept", "source_document_id": d.id}
                for i, d in enumerate(documents)
            ]
        )
        await KnowledgeEdgeRepository(session, scope).create_many(
            [
                {
                    "source_id": nodes[i].id,
                    "target_id": nodes[(i + step) % ROWS].id,
                    "edge_type": "related_to",
                    "weight": 0.5,
                }
                for i in range(ROWS)
                for step in (1, 2)
            ]
        )
        await AuditRepository(session, scope).create_many(
            [
                {
                    "action": "seed",
                    "entity_type": "Document",
                    "entity_id": d.id,
                    "actor_id": editor.id,
                }
                for d in documents
            ]
        )
    return {"documents": [d.id for d in documents], "nodes": [n.id for n in nodes]}


async def _count(
    gql: GraphQLClient,
    statements: StatementCounter,
    query: str,
    variables: dict[str, Any],
    token: str,
) -> tuple[int, dict[str, Any]]:
    await gql(query, variables, token=token)  # the steady state: a caller the server knows
    statements.reset()
    result = await gql(query, variables, token=token)
    assert "errors" not in result, result["errors"]
    return statements.count, result["data"]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("documents", DOCUMENTS),
        ("collections", COLLECTIONS),
        ("users", USERS),
        ("knowledgeNodes", KNOWLEDGE),
        ("auditEvents", AUDIT),
    ],
)
async def test_statements_do_not_grow_with_the_page_size(
    gql: GraphQLClient,
    world: World,
    corpus: dict[str, list[uuid.UUID]],
    statements: StatementCounter,
    name: str,
    query: str,
) -> None:
    small, small_data = await _count(gql, statements, query, {"first": 1}, world.admin.token)
    large, large_data = await _count(gql, statements, query, {"first": 100}, world.admin.token)

    assert len(small_data[name]["edges"]) == 1
    assert len(large_data[name]["edges"]) == 100
    assert small == large, f"{name}: {small} statements at first=1, {large} at first=100"


async def test_nodes_by_id_batch_whatever_their_number(
    gql: GraphQLClient,
    world: World,
    corpus: dict[str, list[uuid.UUID]],
    statements: StatementCounter,
) -> None:
    def ids(n: int) -> list[str]:
        return [gid("Document", i) for i in corpus["documents"][:n]] + [
            gid("KnowledgeNode", i) for i in corpus["nodes"][:n]
        ]

    small, small_data = await _count(gql, statements, NODES, {"ids": ids(1)}, world.admin.token)
    large, large_data = await _count(gql, statements, NODES, {"ids": ids(50)}, world.admin.token)

    assert len(small_data["nodes"]) == 2 and len(large_data["nodes"]) == 100
    assert all(large_data["nodes"])
    assert small == large


async def test_the_reference_path_authenticates_in_the_statement_that_confines_it(
    gql: GraphQLClient, world: World, statements: StatementCounter
) -> None:
    # similarNodes does not compile: the reference answers, in the compiled path's
    # snapshot, without authenticating or confining it again.
    statements.reset()
    no_node = to_base64("KnowledgeNode", uuid.UUID(int=1))
    result = await gql(
        f'{{ similarNodes(to: "{no_node}") {{ distance }} }}', token=world.editor.token
    )

    assert "errors" not in result
    first, *others = statements.statements
    assert "khub_authenticate" in first
    assert not any("khub_authenticate" in s or "set_config" in s for s in others)
