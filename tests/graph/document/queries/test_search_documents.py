"""`searchDocuments` through the app: ranking, web-search syntax, highlights, pages over
rank, filters, visibility, bad arguments and statement counts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import pytest

from persistence.collection.models import Visibility
from persistence.collection.repository import CollectionRepository
from persistence.database import Database
from persistence.document.models import DocumentStatus
from persistence.document.repository import DocumentRepository, TagRepository
from persistence.scope import Scope
from tests.fixtures.statements import StatementCounter
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import gid

SEARCH = """
query (
  $query: String!, $filter: SearchFilter, $first: Int, $after: String,
  $highlight: HighlightOptions
) {
  searchDocuments(
    query: $query, filter: $filter, first: $first, after: $after, highlight: $highlight
  ) {
    totalCount
    edges { cursor node { rank highlight titleHighlight document { title } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


@dataclass
class Corpus:
    """Global ids of the rows a filter can name."""

    handbook: str
    operations: str
    ops: str
    db: str


@pytest.fixture
async def corpus(world: World, database: Database) -> Corpus:
    """A small committed corpus: a collection tree, two tags, documents whose "postgres"
    counts give distinct ranks, a private and a deleted document, and a few for syntax."""
    editor, admin = world.editor.user.id, world.admin.user.id
    async with database.transaction() as session:
        scope = Scope.system(world.organization.id)
        collections = CollectionRepository(session, scope)
        handbook = await collections.create(name="Handbook", owner_id=editor)
        operations = await collections.create(
            name="Operations", parent_id=handbook.id, owner_id=editor
        )
        incidents = await collections.create(
            name="Incidents", parent_id=operations.id, owner_id=editor
        )
        elsewhere = await collections.create(name="Elsewhere", owner_id=editor)
        documents = DocumentRepository(session, scope)
        failover, runbook, _, security, _, old, _, _ = await documents.create_many(
            [
                {
                    "title": "Postgres failover",
                    "content": "Promote the replica when the primary fails.",
                    "owner_id": editor,
                    "collection_id": operations.id,
                    "status": DocumentStatus.PUBLISHED,
                },
                {
                    "title": "Runbook",
                    "content": "Postgres backups run nightly: restore postgres from the "
                    "latest postgres snapshot.",
                    "owner_id": editor,
                    "collection_id": incidents.id,
                },
                {
                    "title": "Meeting notes",
                    "content": "We talked about postgres, then about postgres again.",
                    "owner_id": admin,
                    "collection_id": handbook.id,
                },
                {
                    "title": "Security",
                    "content": "Never paste <script>alert('x')</script> into the postgres "
                    "console & logs.",
                    "owner_id": admin,
                    "collection_id": elsewhere.id,
                },
                {
                    "title": "Diary",
                    "content": "postgres postgres postgres postgres dreams",
                    "owner_id": editor,
                    "visibility": Visibility.PRIVATE,
                },
                {"title": "Old postgres notes", "content": "postgres", "owner_id": editor},
                {
                    "title": "Animals",
                    "content": "The quick brown fox jumps over the lazy dog.",
                    "owner_id": editor,
                },
                {"title": "Pets", "content": "A quick fox and a lazy cat.", "owner_id": editor},
            ]
        )
        await documents.soft_delete(old.id)
        tags = TagRepository(session, scope)
        ops, db = await tags.ensure(["ops", "db"])
        await tags.tag_document(failover.id, [db.id])
        await tags.tag_document(runbook.id, [ops.id, db.id])
        await tags.tag_document(security.id, [ops.id])
    return Corpus(
        handbook=gid("Collection", handbook.id),
        operations=gid("Collection", operations.id),
        ops=gid("Tag", ops.id),
        db=gid("Tag", db.id),
    )


async def _search(gql: GraphQLClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    result = await gql(SEARCH, {"query": query, **variables}, token=token)
    assert "errors" not in result, result["errors"]
    return result["data"]["searchDocuments"]


def _titles(found: dict[str, Any]) -> list[str]:
    return [edge["node"]["document"]["title"] for edge in found["edges"]]


async def test_hits_come_best_first_with_title_matches_above_content_matches(
    gql: GraphQLClient, world: World, corpus: Corpus
) -> None:
    found = await _search(gql, world.viewer.token, "postgres")

    # a title match, then content matches by how often the word occurs (3, 2, 1)
    assert _titles(found) == ["Postgres failover", "Runbook", "Meeting notes", "Security"]
    ranks = [edge["node"]["rank"] for edge in found["edges"]]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == 4
    assert found["totalCount"] == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quick fox", ["Animals", "Pets"]),
        ('"quick fox"', ["Pets"]),
        ("fox -dog", ["Pets"]),
        ("cat OR dog", ["Animals", "Pets"]),
        ('"lazy dog" or "failover"', ["Animals", "Postgres failover"]),
    ],
)
async def test_queries_use_web_search_syntax(
    gql: GraphQLClient, world: World, corpus: Corpus, query: str, expected: list[str]
) -> None:
    found = await _search(gql, world.viewer.token, query)

    assert sorted(_titles(found)) == expected
    assert found["totalCount"] == len(expected)


@pytest.mark.parametrize("query", ["the of and", "", "?!", "-"])
async def test_a_query_of_stop_words_or_punctuation_finds_nothing_without_error(
    gql: GraphQLClient, world: World, corpus: Corpus, query: str
) -> None:
    found = await _search(gql, world.viewer.token, query)

    assert found["edges"] == [] and found["totalCount"] == 0
    assert found["pageInfo"]["hasNextPage"] is False


async def test_highlights_are_html_safe_with_the_default_or_given_marks(
    gql: GraphQLClient, world: World, corpus: Corpus
) -> None:
    default = await _search(gql, world.viewer.token, "postgres")
    custom = await _search(
        gql,
        world.viewer.token,
        "postgres",
        highlight={"startMark": '<em class="hit">', "stopMark": "</em>", "maxFragments": 0},
    )

    hits = {e["node"]["document"]["title"]: e["node"] for e in default["edges"]}
    security = hits["Security"]["highlight"]
    assert "<mark>postgres</mark>" in security
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in security
    assert "<script>" not in security and "&amp; logs" in security
    assert hits["Security"]["titleHighlight"] is None
    assert hits["Postgres failover"]["titleHighlight"] == "<mark>Postgres</mark> failover"
    assert hits["Postgres failover"]["highlight"].startswith("Promote the replica")
    marked = {e["node"]["document"]["title"]: e["node"] for e in custom["edges"]}
    assert '<em class="hit">postgres</em>' in marked["Security"]["highlight"]
    assert marked["Postgres failover"]["titleHighlight"] == '<em class="hit">Postgres</em> failover'


async def test_walking_the_pages_yields_every_hit_once_in_rank_order(
    gql: GraphQLClient, world: World, corpus: Corpus
) -> None:
    whole = await _search(gql, world.editor.token, "postgres", first=100)

    walked, after, pages = [], None, []
    while True:
        page = await _search(gql, world.editor.token, "postgres", first=2, after=after)
        walked += _titles(page)
        pages.append(page["pageInfo"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert walked == _titles(whole) and len(walked) == len(set(walked)) == 5
    assert [p["hasPreviousPage"] for p in pages] == [False, True, True]


async def test_the_collection_filter_includes_descendants_unless_told_not_to(
    gql: GraphQLClient, world: World, corpus: Corpus
) -> None:
    token = world.viewer.token
    tree = await _search(gql, token, "postgres", filter={"collectionId": corpus.handbook})
    only = await _search(
        gql,
        token,
        "postgres",
        filter={"collectionId": corpus.handbook, "includeDescendants": False},
    )
    below = await _search(gql, token, "postgres", filter={"collectionId": corpus.operations})

    assert _titles(tree) == ["Postgres failover", "Runbook", "Meeting notes"]
    assert tree["totalCount"] == 3
    assert _titles(only) == ["Meeting notes"] and only["totalCount"] == 1
    assert _titles(below) == ["Postgres failover", "Runbook"]


async def test_the_tag_status_and_owner_filters(
    gql: GraphQLClient, world: World, corpus: Corpus
) -> None:
    async def titles(filter: dict[str, Any]) -> list[str]:
        found = await _search(gql, world.viewer.token, "postgres", filter=filter)
        assert found["totalCount"] == len(found["edges"])
        return _titles(found)

    assert await titles({"tagIds": [corpus.ops]}) == ["Runbook", "Security"]
    assert await titles({"tagIds": [corpus.ops, corpus.db]}) == [
        "Postgres failover",
        "Runbook",
        "Security",
    ]
    assert await titles({"tagIds": []}) == []
    assert await titles({"status": "PUBLISHED"}) == ["Postgres failover"]
    assert await titles({"ownerId": world.admin.global_id}) == ["Meeting notes", "Security"]
    assert await titles({"ownerId": world.editor.global_id, "tagIds": [corpus.ops]}) == ["Runbook"]


@pytest.mark.parametrize(
    ("member", "sees_diary"), [("viewer", False), ("editor", True), ("admin", True)]
)
async def test_private_documents_appear_and_count_only_for_their_owner_and_admins(
    gql: GraphQLClient, world: World, corpus: Corpus, member: str, sees_diary: bool
) -> None:
    found = await _search(gql, world.members[member].token, "postgres")

    titles = _titles(found)
    assert ("Diary" in titles) is sees_diary
    assert found["totalCount"] == (5 if sees_diary else 4)
    assert "Old postgres notes" not in titles  # deleted: for nobody, admins included


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 101}, "first"),
        ({"first": -1}, "first"),
        ({"after": "bm90IGEgY3Vyc29y"}, "after"),
        ({"highlight": {"maxWords": 1}}, "maxWords"),
        ({"highlight": {"maxFragments": 11}}, "maxFragments"),
        ({"highlight": {"startMark": "x" * 101}}, "startMark"),
        ({"filter": {"tagIds": ["VXNlcjox"]}}, "tagIds"),
        ({"filter": {"collectionId": "VXNlcjox"}}, "collectionId"),
        ({"query": "word " * 201}, "query"),
    ],
)
async def test_bad_arguments_are_bad_user_input(
    gql: GraphQLClient, world: World, variables: dict[str, Any], field: str
) -> None:
    result = await gql(SEARCH, {"query": "postgres", **variables}, token=world.viewer.token)

    (error,) = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


async def test_anonymous_callers_must_log_in(gql: GraphQLClient) -> None:
    result = await gql(SEARCH, {"query": "postgres"})

    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


NESTED = """
query ($first: Int) {
  searchDocuments(query: "handbook", first: $first) {
    totalCount
    edges { node { rank highlight document { title owner { username } tags { name } } } }
  }
}
"""


async def test_statements_do_not_grow_with_the_page_size(
    gql: GraphQLClient, world: World, database: Database, statements: StatementCounter
) -> None:
    owners = [world.admin.user.id, world.editor.user.id, world.viewer.user.id]
    async with database.transaction() as session:
        scope = Scope.system(world.organization.id)
        documents = await DocumentRepository(session, scope).create_many(
            [
                {"title": f"Handbook {i}", "content": "handbook " * i, "owner_id": owners[i % 3]}
                for i in range(60)
            ]
        )
        tags = TagRepository(session, scope)
        red, blue = await tags.ensure(["red", "blue"])
        for document in documents:
            await tags.tag_document(document.id, [red.id, blue.id])

    counts = []
    await gql(NESTED, {"first": 1}, token=world.viewer.token)  # the steady state: known caller
    for first in (1, 50):
        statements.reset()
        result = await gql(NESTED, {"first": first}, token=world.viewer.token)
        assert "errors" not in result, result["errors"]
        assert len(result["data"]["searchDocuments"]["edges"]) == first
        counts.append(statements.count)

    assert counts[0] == counts[1], f"{counts[0]} statements at first=1, {counts[1]} at first=50"


CREATE = """
mutation Create($input: DocumentCreateInput!) {
  documentCreate(input: $input) { __typename ... on DocumentCreateSuccess { document { id } } }
}
"""


def _distinct_words(count: int, seed: int) -> str:
    """Hyphenated nonsense words: each yields three lexemes, so under 1 MB of text makes
    more than PostgreSQL's 1 MB tsvector holds."""
    rng = random.Random(seed)
    letters = "bcdfghjklmnpqrstvwxz"
    return " ".join(
        "".join(rng.choices(letters, k=5)) + "-" + "".join(rng.choices(letters, k=5))
        for _ in range(count)
    )


async def test_a_document_too_long_to_index_whole_is_stored_and_its_head_is_searchable(
    gql: GraphQLClient, world: World
) -> None:
    content = f"headword {_distinct_words(70_000, seed=7)} tailword"

    created = await gql(
        CREATE, {"input": {"title": "Long", "content": content}}, token=world.editor.token
    )

    assert created["data"]["documentCreate"]["__typename"] == "DocumentCreateSuccess"
    assert _titles(await _search(gql, world.viewer.token, "headword")) == ["Long"]
    assert _titles(await _search(gql, world.viewer.token, "Long")) == ["Long"]
    assert _titles(await _search(gql, world.viewer.token, "tailword")) == []
