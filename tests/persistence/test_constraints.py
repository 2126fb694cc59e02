"""Every database constraint surfaces as a typed domain error, never a driver exception."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.collection.repository import CollectionRepository
from persistence.document.repository import AnnotationRepository, DocumentRepository, TagRepository
from persistence.errors import AlreadyExists, NotFound, StillReferenced, ValidationError
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.identity import create_user
from persistence.user.models import Organization, Role, User, UserRole
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.fixtures.users import PASSWORD


async def test_organization_slugs_are_unique(session: AsyncSession, organization) -> None:
    with pytest.raises(AlreadyExists) as raised:
        await OrganizationRepository(session).create(slug=organization.slug, name="Again")

    assert raised.value.field == "slug"


@pytest.mark.parametrize(
    ("slug", "name", "field"), [("Bad Slug!", "X", "slug"), ("ok", " ", "name")]
)
async def test_organization_fields_are_checked(
    session: AsyncSession, slug: str, name: str, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await OrganizationRepository(session).create(slug=slug, name=name)

    assert raised.value.field == field


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [("ERIN", "other@example.com", "username"), ("other", "Erin@Example.com", "email")],
)
async def test_usernames_and_emails_are_unique_per_organization_ignoring_case(
    users: UserRepository, editor: User, settings: Settings, username: str, email: str, field: str
) -> None:
    with pytest.raises(AlreadyExists) as raised:
        await create_user(
            users, username=username, email=email, password=PASSWORD, settings=settings
        )

    assert raised.value.field == field


async def test_the_same_username_may_exist_in_another_organization(
    session: AsyncSession, editor: User, settings: Settings
) -> None:
    other = await OrganizationRepository(session).create(slug="elsewhere", name="Elsewhere")
    users = UserRepository(session, Scope.system(other.id))

    twin = await create_user(
        users, username="erin", email="erin@example.com", password=PASSWORD, settings=settings
    )

    assert twin.id != editor.id and twin.organization_id == other.id


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"username": "a b", "email": "x@example.com"}, "username"),
        ({"username": "xy", "email": "x@example.com"}, "username"),
        ({"username": "okname", "email": "not-an-email"}, "email"),
    ],
)
async def test_user_fields_are_checked(
    users: UserRepository, values: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await users.create(**values, password_hash="x")

    assert raised.value.field == field


async def test_a_role_is_granted_once(session: AsyncSession, scope: Scope, editor: User) -> None:
    class Roles(UserRepository):
        model = UserRole

    with pytest.raises(AlreadyExists):
        await Roles(session, scope).create(user_id=editor.id, role=Role.EDITOR)


async def test_live_sibling_collections_have_distinct_names(
    collections: CollectionRepository, editor: User
) -> None:
    root = await collections.create(name="Root", owner_id=editor.id)
    await collections.create(name="Specs", parent_id=root.id, owner_id=editor.id)

    with pytest.raises(AlreadyExists) as raised:
        await collections.create(name="SPECS", parent_id=root.id, owner_id=editor.id)

    assert raised.value.field == "name"


async def test_root_collections_have_distinct_names(
    collections: CollectionRepository, editor: User
) -> None:
    await collections.create(name="Root", owner_id=editor.id)

    with pytest.raises(AlreadyExists):
        await collections.create(name="root", owner_id=editor.id)


async def test_a_soft_deleted_collection_frees_its_name(
    collections: CollectionRepository, editor: User
) -> None:
    first = await collections.create(name="Archive", owner_id=editor.id)
    await collections.soft_delete(first.id)

    second = await collections.create(name="Archive", owner_id=editor.id)

    assert second.id != first.id


@pytest.mark.parametrize(
    ("values", "field"),
    [({"name": "  "}, "name"), ({"name": "Colored", "color": "red"}, "color")],
)
async def test_collection_fields_are_checked(
    collections: CollectionRepository, editor: User, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await collections.create(**values, owner_id=editor.id)

    assert raised.value.field == field


async def test_a_collection_cannot_be_its_own_parent(
    collections: CollectionRepository, editor: User
) -> None:
    own = await collections.create(name="Loop", owner_id=editor.id)

    with pytest.raises(ValidationError) as raised:
        await collections.update(own.id, expected_version=1, parent_id=own.id)

    assert raised.value.field == "parent_id"


@pytest.mark.parametrize(
    ("values", "field"),
    [({"title": ""}, "title"), ({"title": "T", "metadata_": ["not", "an", "object"]}, "metadata")],
)
async def test_document_fields_are_checked(
    documents: DocumentRepository, editor: User, values: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await documents.create(**values, owner_id=editor.id)

    assert raised.value.field == field


async def test_a_document_needs_an_existing_owner(documents: DocumentRepository) -> None:
    with pytest.raises(NotFound) as raised:
        await documents.create(title="Orphan", owner_id=uuid.uuid4())

    assert raised.value.field == "owner_id"


async def test_tag_names_are_unique_ignoring_case(tags: TagRepository) -> None:
    await tags.create(name="python")

    with pytest.raises(AlreadyExists) as raised:
        await tags.create(name="Python")

    assert raised.value.field == "name"


@pytest.mark.parametrize(
    ("start", "end", "field"), [(5, 2, "start_offset"), (-1, 2, "start_offset")]
)
async def test_annotation_offsets_are_checked(
    annotations: AnnotationRepository, document, editor: User, start: int, end: int, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        await annotations.create(
            document_id=document.id,
            author_id=editor.id,
            start_offset=start,
            end_offset=end,
            body="note",
        )

    assert raised.value.field == field


async def test_edges_have_no_self_loops(
    nodes: KnowledgeNodeRepository, edges: KnowledgeEdgeRepository
) -> None:
    node = await nodes.create(label="A", node_type="concept")

    with pytest.raises(ValidationError) as raised:
        await edges.create(source_id=node.id, target_id=node.id, edge_type="related_to")

    assert raised.value.field == "source_id"


@pytest.mark.parametrize("weight", [-0.1, 1.5])
async def test_edge_weights_lie_in_the_unit_interval(
    nodes: KnowledgeNodeRepository, edges: KnowledgeEdgeRepository, weight: float
) -> None:
    a, b = await nodes.create_many(
        [{"label": "A", "node_type": "c"}, {"label": "B", "node_type": "c"}]
    )

    with pytest.raises(ValidationError) as raised:
        await edges.create(source_id=a.id, target_id=b.id, edge_type="related_to", weight=weight)

    assert raised.value.field == "weight"


async def test_an_edge_is_unique_per_source_target_and_type(
    nodes: KnowledgeNodeRepository, edges: KnowledgeEdgeRepository
) -> None:
    a, b = await nodes.create_many(
        [{"label": "A", "node_type": "c"}, {"label": "B", "node_type": "c"}]
    )
    await edges.create(source_id=a.id, target_id=b.id, edge_type="related_to")
    await edges.create(source_id=a.id, target_id=b.id, edge_type="depends_on")

    with pytest.raises(AlreadyExists) as raised:
        await edges.create(source_id=a.id, target_id=b.id, edge_type="related_to")

    assert raised.value.field == "edge_type"


async def test_a_row_cannot_reference_a_row_of_another_organization(
    session: AsyncSession, documents: DocumentRepository, settings: Settings
) -> None:
    other: Organization = await OrganizationRepository(session).create(slug="rival", name="Rival")
    outsider = await create_user(
        UserRepository(session, Scope.system(other.id)),
        username="mallory",
        email="mallory@example.com",
        password=PASSWORD,
        settings=settings,
    )

    with pytest.raises(NotFound) as raised:
        await documents.create(title="Cross-tenant", owner_id=outsider.id)

    assert raised.value.field == "owner_id"


async def test_an_edge_cannot_join_nodes_of_two_organizations(
    session: AsyncSession, nodes: KnowledgeNodeRepository, edges: KnowledgeEdgeRepository
) -> None:
    other = await OrganizationRepository(session).create(slug="rival-graph", name="Rival")
    foreign = await KnowledgeNodeRepository(session, Scope.system(other.id)).create(
        label="Theirs", node_type="concept"
    )
    ours = await nodes.create(label="Ours", node_type="concept")

    with pytest.raises(NotFound):
        await edges.create(source_id=ours.id, target_id=foreign.id, edge_type="related_to")


async def test_purging_a_user_who_still_owns_documents_is_refused(
    users: UserRepository, document, editor: User
) -> None:
    with pytest.raises(StillReferenced):
        await users.purge(editor.id)


async def test_unknown_fields_are_validation_errors(documents: DocumentRepository, editor) -> None:
    with pytest.raises(ValidationError) as raised:
        await documents.create(title="T", owner_id=editor.id, colour="blue")

    assert raised.value.field == "colour"


async def test_a_value_longer_than_its_column_names_the_field(
    documents: DocumentRepository, editor: User, document
) -> None:
    with pytest.raises(ValidationError) as on_create:
        await documents.create(title="x" * 501, owner_id=editor.id)
    with pytest.raises(ValidationError) as on_update:
        await documents.update(document.id, expected_version=1, content_type="y" * 101)

    assert (on_create.value.field, on_update.value.field) == ("title", "content_type")
