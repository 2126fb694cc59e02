"""The collection tree: ancestry and moves that never make a cycle."""

from __future__ import annotations

import pytest

from persistence.collection.repository import CollectionFilter, CollectionRepository
from persistence.errors import NotFound, ValidationError
from persistence.pagination import Window
from persistence.user.models import User
from tests.fixtures.statements import StatementCounter


@pytest.fixture
async def tree(collections: CollectionRepository, editor: User):
    """Engineering > Backend > Databases, and a separate root Marketing."""
    engineering = await collections.create(name="Engineering", owner_id=editor.id)
    backend = await collections.create(name="Backend", parent_id=engineering.id, owner_id=editor.id)
    databases = await collections.create(name="Databases", parent_id=backend.id, owner_id=editor.id)
    marketing = await collections.create(name="Marketing", owner_id=editor.id)
    return engineering, backend, databases, marketing


async def test_ancestors_run_from_the_root_down_in_one_statement(
    collections: CollectionRepository, tree, statements: StatementCounter
) -> None:
    engineering, _, databases, _ = tree
    statements.reset()

    chain = await collections.ancestors(databases.id)

    assert [c.name for c in chain] == ["Engineering", "Backend"]
    assert statements.count == 1
    assert await collections.ancestors(engineering.id) == []


async def test_a_collection_moves_under_another_tree(
    collections: CollectionRepository, tree
) -> None:
    _, backend, _, marketing = tree

    moved = await collections.move(backend.id, parent_id=marketing.id, expected_version=1)

    assert moved.parent_id == marketing.id and moved.version == 2


async def test_a_collection_moves_to_the_root(collections: CollectionRepository, tree) -> None:
    *_, databases, _ = tree

    moved = await collections.move(databases.id, parent_id=None, expected_version=1)

    assert moved.parent_id is None


@pytest.mark.parametrize("target", ["itself", "child", "grandchild"])
async def test_a_collection_cannot_move_into_its_own_subtree(
    collections: CollectionRepository, tree, target: str
) -> None:
    engineering, backend, databases, _ = tree
    parent = {"itself": engineering, "child": backend, "grandchild": databases}[target]

    with pytest.raises(ValidationError) as raised:
        await collections.move(engineering.id, parent_id=parent.id, expected_version=1)

    assert raised.value.field == "parent_id"


async def test_moving_under_a_missing_collection_is_not_found(
    collections: CollectionRepository, tree
) -> None:
    _, backend, databases, _ = tree
    await collections.soft_delete(backend.id)

    with pytest.raises(NotFound):
        await collections.move(databases.id, parent_id=backend.id, expected_version=1)


async def test_children_are_filtered_by_parent(collections: CollectionRepository, tree) -> None:
    engineering, *_ = tree

    roots = await collections.page(Window(first=10), filter=CollectionFilter(roots_only=True))
    children = await collections.page(
        Window(first=10), filter=CollectionFilter(parent_id=engineering.id)
    )

    assert sorted(c.name for c in roots.items) == ["Engineering", "Marketing"]
    assert [c.name for c in children.items] == ["Backend"]


async def test_deleting_a_collection_takes_its_subtree_and_documents_along(
    collections: CollectionRepository, documents, tree, editor: User, statements: StatementCounter
) -> None:
    engineering, backend, databases, marketing = tree
    inside, outside = await documents.create_many(
        [
            {"title": "Schema notes", "owner_id": editor.id, "collection_id": databases.id},
            {"title": "Campaign", "owner_id": editor.id, "collection_id": marketing.id},
        ]
    )
    statements.reset()

    await collections.delete_tree(engineering.id, expected_version=1)

    assert statements.count == 3
    assert await collections.get_many([engineering.id, backend.id, databases.id]) == [None] * 3
    assert await documents.get_many([inside.id, outside.id]) == [None, outside]


async def test_restoring_brings_back_only_what_went_with_that_deletion(
    collections: CollectionRepository, documents, tree, editor: User
) -> None:
    engineering, backend, databases, _ = tree
    earlier = await documents.create(
        title="Deleted before", owner_id=editor.id, collection_id=backend.id
    )
    kept = await documents.create(title="Kept", owner_id=editor.id, collection_id=backend.id)
    await documents.soft_delete(earlier.id)
    await collections.delete_tree(engineering.id, expected_version=None)

    await collections.restore_tree(engineering.id)

    found = await collections.get_many([engineering.id, backend.id, databases.id])
    assert [c.name for c in found if c] == ["Engineering", "Backend", "Databases"]
    assert await documents.get_many([earlier.id, kept.id]) == [None, kept]
