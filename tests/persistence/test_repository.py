"""The generic repository: batched reads, bulk writes, versions, soft delete, keyset pages."""

from __future__ import annotations

import uuid

import pytest

from persistence.document.repository import DocumentRepository
from persistence.errors import NotFound, ValidationError, VersionConflict
from persistence.pagination import Order, Window
from persistence.user.models import User
from tests.fixtures.content import document_rows
from tests.fixtures.statements import StatementCounter


async def test_get_many_returns_rows_in_the_order_asked_with_none_for_missing(
    documents: DocumentRepository, editor: User, statements: StatementCounter
) -> None:
    a, b, c = await documents.create_many(document_rows(editor, 3))
    missing = uuid.uuid4()
    statements.reset()

    found = await documents.get_many([c.id, missing, a.id, b.id])

    assert [d.id if d else None for d in found] == [c.id, None, a.id, b.id]
    assert statements.count == 1


async def test_get_many_is_one_statement_whatever_the_number_of_ids(
    documents: DocumentRepository, editor: User, statements: StatementCounter
) -> None:
    created = await documents.create_many(document_rows(editor, 50))
    statements.reset()

    found = await documents.get_many([d.id for d in created])

    assert len(found) == 50 and all(found)
    assert statements.count == 1


async def test_bulk_create_is_one_statement_and_keeps_the_given_order(
    documents: DocumentRepository, editor: User, statements: StatementCounter
) -> None:
    rows = document_rows(editor, 200)

    created = await documents.create_many(rows)

    assert statements.count == 1
    assert [d.title for d in created] == [r["title"] for r in rows]
    assert all(d.version == 1 and d.created_at is not None for d in created)


async def test_ids_are_time_ordered(documents: DocumentRepository, editor: User) -> None:
    created = await documents.create_many(document_rows(editor, 20))

    assert [d.id for d in created] == sorted(d.id for d in created)
    assert all(d.id.version == 7 for d in created)


async def test_update_bumps_the_version(documents: DocumentRepository, document) -> None:
    updated = await documents.update(document.id, expected_version=1, title="New title")

    assert (updated.title, updated.version) == ("New title", 2)


async def test_update_with_a_stale_version_is_a_conflict_carrying_the_current_one(
    documents: DocumentRepository, document
) -> None:
    await documents.update(document.id, expected_version=1, title="First")

    with pytest.raises(VersionConflict) as raised:
        await documents.update(document.id, expected_version=1, title="Second")

    assert raised.value.current_version == 2
    assert (await documents.get(document.id)).title == "First"


async def test_update_of_a_missing_row_is_not_found(documents: DocumentRepository) -> None:
    with pytest.raises(NotFound):
        await documents.update(uuid.uuid4(), expected_version=1, title="x")


async def test_soft_delete_hides_the_row_and_restore_brings_it_back(
    documents: DocumentRepository, document
) -> None:
    await documents.soft_delete(document.id)

    assert await documents.get_many([document.id]) == [None]
    (deleted,) = await documents.get_many([document.id], include_deleted=True)
    assert deleted is not None and deleted.deleted_at is not None

    restored = await documents.restore(document.id)

    assert restored.deleted_at is None
    assert (await documents.get(document.id)).id == document.id


async def test_soft_deleted_rows_cannot_be_updated(documents: DocumentRepository, document) -> None:
    await documents.soft_delete(document.id)

    with pytest.raises(NotFound):
        await documents.update(document.id, expected_version=2, title="x")


async def test_restoring_a_live_row_is_not_found(documents: DocumentRepository, document) -> None:
    with pytest.raises(NotFound):
        await documents.restore(document.id)


async def test_purge_deletes_for_good(documents: DocumentRepository, document) -> None:
    await documents.purge(document.id)

    assert await documents.get_many([document.id], include_deleted=True) == [None]
    with pytest.raises(NotFound):
        await documents.purge(document.id)


async def test_keyset_pages_walk_forwards_and_backwards_without_gaps(
    documents: DocumentRepository, editor: User
) -> None:
    await documents.create_many(document_rows(editor, 25))
    order = Order("title")

    forward: list[str] = []
    page = await documents.page(Window(first=10), order=order)
    forward += [d.title for d in page.items]
    while page.has_next_page:
        page = await documents.page(Window(first=10, after=page.end_cursor), order=order)
        forward += [d.title for d in page.items]

    backward: list[str] = []
    page = await documents.page(Window(last=10), order=order)
    backward = [d.title for d in page.items] + backward
    while page.has_previous_page:
        page = await documents.page(Window(last=10, before=page.start_cursor), order=order)
        backward = [d.title for d in page.items] + backward

    expected = [f"Doc {i:03d}" for i in range(25)]
    assert forward == expected
    assert backward == expected


async def test_descending_pages_follow_the_order(
    documents: DocumentRepository, editor: User
) -> None:
    await documents.create_many(document_rows(editor, 5))
    order = Order("title", descending=True)

    first = await documents.page(Window(first=2), order=order)
    second = await documents.page(Window(first=2, after=first.end_cursor), order=order)
    back = await documents.page(Window(last=2, before=second.start_cursor), order=order)

    assert [d.title for d in first.items] == ["Doc 004", "Doc 003"]
    assert [d.title for d in second.items] == ["Doc 002", "Doc 001"]
    assert [d.title for d in back.items] == ["Doc 004", "Doc 003"]


async def test_a_cursor_stays_valid_when_rows_are_inserted_before_it(
    documents: DocumentRepository, editor: User
) -> None:
    await documents.create_many(document_rows(editor, 6))
    order = Order("title")
    first = await documents.page(Window(first=3), order=order)

    await documents.create_many([{"title": "Doc 000a", "owner_id": editor.id}])
    second = await documents.page(Window(first=3, after=first.end_cursor), order=order)

    assert [d.title for d in second.items] == ["Doc 003", "Doc 004", "Doc 005"]
    assert not second.has_next_page


async def test_equal_sort_keys_are_broken_by_id(
    documents: DocumentRepository, editor: User
) -> None:
    created = await documents.create_many(
        [{"title": "Same", "owner_id": editor.id} for _ in range(5)]
    )

    seen = []
    page = await documents.page(Window(first=2), order=Order("title"))
    seen += page.items
    while page.has_next_page:
        page = await documents.page(Window(first=2, after=page.end_cursor), order=Order("title"))
        seen += page.items

    assert [d.id for d in seen] == sorted(d.id for d in created)


async def test_a_page_is_one_statement(
    documents: DocumentRepository, editor: User, statements: StatementCounter
) -> None:
    await documents.create_many(document_rows(editor, 30))
    statements.reset()

    page = await documents.page(Window(first=20))

    assert len(page.items) == 20 and page.has_next_page
    assert statements.count == 1


@pytest.mark.parametrize(
    ("window", "field"),
    [
        (Window(first=101), "first"),
        (Window(last=-1), "last"),
        (Window(first=1, last=1), "first"),
        (Window(first=1, after="not-a-cursor"), "after"),
        (Window(last=1, before="WzEsMiwzXQ"), "before"),
    ],
)
async def test_bad_page_arguments_are_validation_errors(
    documents: DocumentRepository, window: Window, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await documents.page(window)

    assert raised.value.field == field


async def test_ordering_by_an_unknown_key_is_a_validation_error(
    documents: DocumentRepository,
) -> None:
    with pytest.raises(ValidationError) as raised:
        await documents.page(Window(first=1), order=Order("password"))

    assert raised.value.field == "orderBy"


async def test_count_respects_filters_and_soft_delete(
    documents: DocumentRepository, editor: User
) -> None:
    created = await documents.create_many(document_rows(editor, 4))
    await documents.soft_delete(created[0].id)

    assert await documents.count() == 3
    assert await documents.count(include_deleted=True) == 4


async def test_first_per_key_returns_each_groups_first_rows_in_one_statement(
    documents: DocumentRepository,
    collections,
    editor: User,
    statements: StatementCounter,
) -> None:
    a = await collections.create(name="A", owner_id=editor.id)
    b = await collections.create(name="B", owner_id=editor.id)
    empty = await collections.create(name="Empty", owner_id=editor.id)
    await documents.create_many(document_rows(editor, 5, collection_id=a.id))
    await documents.create_many(document_rows(editor, 2, collection_id=b.id))
    statements.reset()

    pages = await documents.first_per(
        "collection_id", [a.id, b.id, empty.id], limit=3, order=Order("title")
    )
    counts = await documents.count_per("collection_id", [a.id, b.id, empty.id])

    assert statements.count == 2
    assert [d.title for d in pages[a.id].items] == ["Doc 000", "Doc 001", "Doc 002"]
    assert pages[a.id].has_next_page and not pages[b.id].has_next_page
    assert pages[empty.id].items == []
    assert counts == {a.id: 5, b.id: 2, empty.id: 0}
