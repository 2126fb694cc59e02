"""Full-text search: web-search syntax, ranking, keyset pages over rank, filters,
visibility and HTML-safe highlights."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.collection.models import Visibility
from persistence.collection.repository import CollectionRepository
from persistence.document.models import DocumentStatus
from persistence.document.repository import DocumentRepository, TagRepository
from persistence.document.search import Highlight, SearchFilter, count, search
from persistence.errors import ValidationError
from persistence.pagination import Window
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.identity import create_user
from persistence.user.models import User
from persistence.user.repository import UserRepository
from tests.fixtures.statements import StatementCounter
from tests.fixtures.users import PASSWORD


@pytest.fixture
async def other_user(users: UserRepository, settings: Settings) -> User:
    return await create_user(
        users, username="olga", email="olga@example.com", password=PASSWORD, settings=settings
    )


async def _titles(session: AsyncSession, scope: Scope, query: str, **options: Any) -> list[str]:
    page = await search(session, scope, query, window=Window(first=100), **options)
    return [hit.document.title for hit in page.items]


async def test_a_title_match_outranks_the_content_and_more_matches_rank_higher(
    session: AsyncSession, scope: Scope, documents: DocumentRepository, editor: User
) -> None:
    await documents.create_many(
        [
            {"title": "Diary", "content": "Met postgres people.", "owner_id": editor.id},
            {"title": "Postgres tuning", "content": "Memory settings.", "owner_id": editor.id},
            {"title": "Unrelated", "content": "Nothing to see.", "owner_id": editor.id},
            {"title": "Notes", "content": "postgres, postgres, postgres", "owner_id": editor.id},
        ]
    )

    page = await search(session, scope, "postgres")

    assert [hit.document.title for hit in page.items] == ["Postgres tuning", "Notes", "Diary"]
    ranks = [hit.rank for hit in page.items]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("quick fox", {"One", "Two"}),
        ('"quick fox"', {"Two"}),
        ("fox -dog", {"One"}),
        ("cat or dog", {"Two", "Three"}),
        ('"lazy cat" OR "brown fox"', {"One", "Three"}),
        ("foxes jumping", {"Two"}),  # stemmed, like the vector
    ],
)
async def test_queries_use_web_search_syntax(
    session: AsyncSession,
    scope: Scope,
    documents: DocumentRepository,
    editor: User,
    query: str,
    expected: set[str],
) -> None:
    await documents.create_many(
        [
            {"title": "One", "content": "The quick brown fox.", "owner_id": editor.id},
            {"title": "Two", "content": "A quick fox jumps over the dog.", "owner_id": editor.id},
            {"title": "Three", "content": "A lazy cat.", "owner_id": editor.id},
        ]
    )

    assert set(await _titles(session, scope, query)) == expected
    assert await count(session, scope, query) == len(expected)


@pytest.mark.parametrize("query", ["", "   ", "the and of", "!!! ...", '""', "-", "or"])
async def test_a_query_that_reduces_to_nothing_matches_nothing(
    session: AsyncSession, scope: Scope, documents: DocumentRepository, editor: User, query: str
) -> None:
    await documents.create(title="The and of", content="the of and or", owner_id=editor.id)

    page = await search(session, scope, query)

    assert page.items == [] and not page.has_next_page
    assert await count(session, scope, query) == 0


async def test_highlights_mark_the_matches_in_escaped_text(
    session: AsyncSession, scope: Scope, documents: DocumentRepository, editor: User
) -> None:
    await documents.create(
        title="Postgres <tips> & tricks",
        content="Never paste <script>alert('x')</script> into a \ue000postgres\ue001 console.",
        owner_id=editor.id,
    )

    (default,) = (await search(session, scope, "postgres")).items
    (custom,) = (
        await search(
            session, scope, "postgres", highlight=Highlight(start_mark="[[", stop_mark="]]")
        )
    ).items

    assert default.highlight == (
        "Never paste &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; "
        "into a <mark>postgres</mark> console"  # fragments end at the last word
    )
    assert default.title_highlight == "<mark>Postgres</mark> &lt;tips&gt; &amp; tricks"
    assert "[[postgres]]" in custom.highlight and "<mark>" not in custom.highlight
    assert custom.title_highlight == "[[Postgres]] &lt;tips&gt; &amp; tricks"


async def test_a_title_without_a_match_has_no_title_highlight_and_the_snippet_is_the_start(
    session: AsyncSession, scope: Scope, documents: DocumentRepository, editor: User
) -> None:
    words = " ".join(f"word{i}" for i in range(200))
    await documents.create(
        title="Plain", content=f"Opening line. {words} needle {words}", owner_id=editor.id
    )
    await documents.create(title="Needle", content="Opening line.", owner_id=editor.id)

    page = await search(session, scope, "needle", highlight=Highlight(max_words=10))
    hits = {hit.document.title: hit for hit in page.items}

    assert hits["Plain"].title_highlight is None
    assert "<mark>needle</mark>" in hits["Plain"].highlight
    assert len(hits["Plain"].highlight.split()) <= 2 * 10  # two fragments at most
    assert hits["Needle"].highlight == "Opening line."
    assert hits["Needle"].title_highlight == "<mark>Needle</mark>"


@pytest.mark.parametrize(
    ("highlight", "field"),
    [
        (Highlight(max_words=1), "max_words"),
        (Highlight(max_words=101), "max_words"),
        (Highlight(max_fragments=-1), "max_fragments"),
        (Highlight(max_fragments=11), "max_fragments"),
        (Highlight(start_mark="x" * 101), "start_mark"),
    ],
)
async def test_highlight_options_are_bounded(
    session: AsyncSession, scope: Scope, highlight: Highlight, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await search(session, scope, "anything", highlight=highlight)

    assert raised.value.field == field


async def test_walking_the_pages_yields_every_hit_once_in_rank_order(
    session: AsyncSession, scope: Scope, documents: DocumentRepository, editor: User
) -> None:
    # ranks tie in groups and are floats like 0.243... that decimal cursors would not keep
    await documents.create_many(
        [
            {
                "title": "Alpha" if i % 5 == 0 else f"Doc {i}",
                "content": " ".join(["alpha"] * (i % 3 + 1)),
                "owner_id": editor.id,
            }
            for i in range(13)
        ]
    )
    whole = (await search(session, scope, "alpha", window=Window(first=100))).items

    walked, after, pages = [], None, 0
    while True:
        page = await search(session, scope, "alpha", window=Window(first=2, after=after))
        walked += page.items
        pages += 1
        if not page.has_next_page:
            break
        after = page.end_cursor

    assert [h.document.id for h in walked] == [h.document.id for h in whole]
    assert len({h.document.id for h in walked}) == 13 and pages == 7
    keys = [(-h.rank, h.document.id) for h in walked]
    assert keys == sorted(keys)


async def test_a_forged_cursor_or_a_backwards_window_is_a_validation_error(
    session: AsyncSession, scope: Scope
) -> None:
    with pytest.raises(ValidationError) as forged:
        await search(session, scope, "x", window=Window(first=2, after="bm90IGEgY3Vyc29y"))
    with pytest.raises(ValidationError) as backwards:
        await search(session, scope, "x", window=Window(last=2))
    with pytest.raises(ValidationError) as long:
        await search(session, scope, "x" * 1001)

    assert (forged.value.field, backwards.value.field, long.value.field) == (
        "after",
        "last",
        "query",
    )


async def test_the_collection_filter_includes_live_descendants_unless_told_not_to(
    session: AsyncSession,
    scope: Scope,
    collections: CollectionRepository,
    documents: DocumentRepository,
    editor: User,
    other_user: User,
) -> None:
    root = await collections.create(name="Root", owner_id=editor.id)
    child = await collections.create(name="Child", parent_id=root.id, owner_id=editor.id)
    grandchild = await collections.create(name="Grand", parent_id=child.id, owner_id=editor.id)
    gone = await collections.create(name="Gone", parent_id=root.id, owner_id=editor.id)
    hidden = await collections.create(
        name="Hidden", parent_id=root.id, owner_id=other_user.id, visibility=Visibility.PRIVATE
    )
    elsewhere = await collections.create(name="Elsewhere", owner_id=editor.id)
    await documents.create_many(
        [
            {"title": title, "content": "report", "owner_id": editor.id, "collection_id": c.id}
            for title, c in (
                ("in root", root),
                ("in child", child),
                ("in grandchild", grandchild),
                ("in gone", gone),
                ("in hidden", hidden),
                ("elsewhere", elsewhere),
            )
        ]
    )
    await collections.soft_delete(gone.id)
    as_editor = Scope(scope.organization_id, user_id=editor.id)

    tree = SearchFilter(collection_id=root.id)
    assert sorted(await _titles(session, as_editor, "report", filter=tree)) == [
        "in child",
        "in grandchild",
        "in root",
    ]
    assert await count(session, as_editor, "report", tree) == 3
    assert "in hidden" in await _titles(session, scope, "report", filter=tree)  # admin
    below_child = SearchFilter(collection_id=child.id)
    assert sorted(await _titles(session, as_editor, "report", filter=below_child)) == [
        "in child",
        "in grandchild",
    ]
    only = SearchFilter(collection_id=root.id, include_descendants=False)
    assert await _titles(session, as_editor, "report", filter=only) == ["in root"]
    deleted = SearchFilter(collection_id=gone.id)
    assert await _titles(session, as_editor, "report", filter=deleted) == []


async def test_the_tag_filter_keeps_documents_with_any_of_the_tags(
    session: AsyncSession,
    scope: Scope,
    documents: DocumentRepository,
    tags: TagRepository,
    editor: User,
) -> None:
    red_doc, blue_doc, _ = await documents.create_many(
        [
            {"title": title, "content": "shared words", "owner_id": editor.id}
            for title in ("red one", "blue one", "untagged")
        ]
    )
    red, blue, green = await tags.ensure(["red", "blue", "green"])
    await tags.tag_document(red_doc.id, [red.id, green.id])
    await tags.tag_document(blue_doc.id, [blue.id])

    def having(*tag_ids: Any) -> SearchFilter:
        return SearchFilter(tag_ids=list(tag_ids))

    assert await _titles(session, scope, "words", filter=having(red.id)) == ["red one"]
    assert sorted(await _titles(session, scope, "words", filter=having(red.id, blue.id))) == [
        "blue one",
        "red one",
    ]
    assert await _titles(session, scope, "words", filter=having(red.id, green.id)) == ["red one"]
    assert await _titles(session, scope, "words", filter=having()) == []


async def test_status_and_owner_filters(
    session: AsyncSession,
    scope: Scope,
    documents: DocumentRepository,
    editor: User,
    other_user: User,
) -> None:
    await documents.create_many(
        [
            {"title": "draft", "content": "plan", "owner_id": editor.id},
            {
                "title": "published",
                "content": "plan",
                "owner_id": editor.id,
                "status": DocumentStatus.PUBLISHED,
            },
            {
                "title": "olga's",
                "content": "plan",
                "owner_id": other_user.id,
                "status": DocumentStatus.PUBLISHED,
            },
        ]
    )

    published = SearchFilter(status=DocumentStatus.PUBLISHED)
    assert sorted(await _titles(session, scope, "plan", filter=published)) == [
        "olga's",
        "published",
    ]
    mine = SearchFilter(owner_id=editor.id, status=DocumentStatus.PUBLISHED)
    assert await _titles(session, scope, "plan", filter=mine) == ["published"]


async def test_private_documents_of_others_never_appear_nor_count(
    session: AsyncSession,
    scope: Scope,
    documents: DocumentRepository,
    editor: User,
    other_user: User,
) -> None:
    await documents.create_many(
        [
            {"title": "Shared", "content": "budget", "owner_id": editor.id},
            {
                "title": "Secret",
                "content": "budget budget",
                "owner_id": editor.id,
                "visibility": Visibility.PRIVATE,
            },
        ]
    )
    org = scope.organization_id
    other = Scope(org, user_id=other_user.id)
    owner = Scope(org, user_id=editor.id)
    admin = Scope(org, user_id=other_user.id, is_admin=True)

    assert await _titles(session, other, "budget") == ["Shared"]
    assert await count(session, other, "budget") == 1
    for allowed in (owner, admin):
        assert await _titles(session, allowed, "budget") == ["Secret", "Shared"]
        assert await count(session, allowed, "budget") == 2


async def test_deleted_documents_never_appear(
    session: AsyncSession, scope: Scope, documents: DocumentRepository, editor: User
) -> None:
    _, dropped = await documents.create_many(
        [
            {"title": "Kept", "content": "invoice", "owner_id": editor.id},
            {"title": "Dropped", "content": "invoice", "owner_id": editor.id},
        ]
    )
    await documents.soft_delete(dropped.id)

    assert await _titles(session, scope, "invoice") == ["Kept"]
    assert await count(session, scope, "invoice") == 1


async def test_a_page_is_one_statement_and_the_count_another(
    session: AsyncSession,
    scope: Scope,
    collections: CollectionRepository,
    documents: DocumentRepository,
    tags: TagRepository,
    editor: User,
    statements: StatementCounter,
) -> None:
    root = await collections.create(name="Root", owner_id=editor.id)
    docs = await documents.create_many(
        [
            {
                "title": f"Doc {i}",
                "content": "word",
                "owner_id": editor.id,
                "collection_id": root.id,
            }
            for i in range(30)
        ]
    )
    (tag,) = await tags.ensure(["t"])
    for doc in docs:
        await tags.tag_document(doc.id, [tag.id])
    everything = SearchFilter(
        collection_id=root.id,
        tag_ids=[tag.id],
        status=DocumentStatus.DRAFT,
        owner_id=editor.id,
    )
    statements.reset()

    page = await search(session, scope, "word", everything, Window(first=25))
    assert statements.count == 1
    await count(session, scope, "word", everything)

    assert statements.count == 2
    assert len(page.items) == 25 and page.has_next_page
