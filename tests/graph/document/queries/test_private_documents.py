"""PRIVATE documents exist only for their owner and admins: in lists, counts, `node`,
`nodes` and every nested field that could reach them."""

from __future__ import annotations

import pytest

from persistence.collection.models import Visibility
from persistence.collection.repository import CollectionRepository
from persistence.database import Database
from persistence.document.repository import DocumentRepository
from persistence.knowledge.repository import KnowledgeNodeRepository
from persistence.scope import Scope
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid

EVERYWHERE = """
query ($private: ID!, $owner: ID!) {
  documents { totalCount edges { node { title } } }
  node(id: $private) { id }
  nodes(ids: [$private]) { id }
  collections { edges { node {
    documents { totalCount edges { node { title } } }
  } } }
  owner: node(id: $owner) { ... on User { documents { totalCount edges { node { title } } } } }
  knowledgeNodes { edges { node { label sourceDocument { title } } } }
}
"""


@pytest.fixture
async def private(world: World, database: Database):
    """The editor's private diary and a shared roadmap, in one collection, each the source
    of a knowledge node."""
    async with database.transaction() as session:
        scope = Scope.system(world.organization.id)
        folder = await CollectionRepository(session, scope).create(
            name="Team", owner_id=world.editor.user.id
        )
        diary, roadmap = await DocumentRepository(session, scope).create_many(
            [
                {
                    "title": "Diary",
                    "owner_id": world.editor.user.id,
                    "collection_id": folder.id,
                    "visibility": Visibility.PRIVATE,
                },
                {
                    "title": "Roadmap",
                    "owner_id": world.editor.user.id,
                    "collection_id": folder.id,
                },
            ]
        )
        await KnowledgeNodeRepository(session, scope).create_many(
            [
                {"label": "From diary", "node_type": "note", "source_document_id": diary.id},
                {"label": "From roadmap", "node_type": "note", "source_document_id": roadmap.id},
            ]
        )
    return diary


def _seen(data: dict) -> dict:
    collection = data["collections"]["edges"][0]["node"]["documents"]
    sources = sorted(
        (e["node"]["label"], (e["node"]["sourceDocument"] or {}).get("title"))
        for e in data["knowledgeNodes"]["edges"]
    )
    return {
        "list": sorted(e["node"]["title"] for e in data["documents"]["edges"]),
        "count": data["documents"]["totalCount"],
        "node": data["node"] is not None,
        "nodes": data["nodes"] != [None],
        "collection": (
            collection["totalCount"],
            sorted(e["node"]["title"] for e in collection["edges"]),
        ),
        "owner": data["owner"]["documents"]["totalCount"],
        "sources": sources,
    }


@pytest.mark.parametrize(
    ("who", "sees_private"), [("editor", True), ("admin", True), ("viewer", False)]
)
async def test_a_private_document_is_visible_only_to_its_owner_and_admins(
    gql: GraphQLClient, world: World, private, who: str, sees_private: bool
) -> None:
    variables = {"private": gid("Document", private.id), "owner": world.editor.global_id}

    result = await gql(EVERYWHERE, variables, token=world.members[who].token)

    assert "errors" not in result, result.get("errors")
    seen = _seen(result["data"])
    titles = ["Diary", "Roadmap"] if sees_private else ["Roadmap"]
    assert seen == {
        "list": titles,
        "count": len(titles),
        "node": sees_private,
        "nodes": sees_private,
        "collection": (len(titles), titles),
        "owner": len(titles),
        "sources": [
            ("From diary", "Diary" if sees_private else None),
            ("From roadmap", "Roadmap"),
        ],
    }
