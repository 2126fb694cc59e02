"""Documents' visibility, full-text vector, tags and annotations."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.collection.models import Visibility
from persistence.document.models import Document
from persistence.document.repository import (
    AnnotationRepository,
    DocumentFilter,
    DocumentRepository,
    TagRepository,
)
from persistence.errors import NotFound, ValidationError
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


async def test_private_documents_exist_only_for_their_owner_and_admins(
    session: AsyncSession, documents: DocumentRepository, editor: User, other_user: User
) -> None:
    secret = await documents.create(
        title="Salary review", owner_id=editor.id, visibility=Visibility.PRIVATE
    )
    shared = await documents.create(title="Roadmap", owner_id=editor.id)
    org = editor.organization_id
    as_owner = DocumentRepository(session, Scope(org, user_id=editor.id))
    as_other = DocumentRepository(session, Scope(org, user_id=other_user.id))
    as_admin = DocumentRepository(session, Scope(org, user_id=other_user.id, is_admin=True))

    assert await as_owner.get_many([secret.id, shared.id]) == [secret, shared]
    assert await as_other.get_many([secret.id, shared.id]) == [None, shared]
    assert await as_admin.get_many([secret.id]) == [secret]
    assert await as_other.count() == 1
    assert [d.title for d in (await as_other.page(Window(first=10))).items] == ["Roadmap"]


async def test_someone_else_cannot_update_a_private_document(
    session: AsyncSession, documents: DocumentRepository, editor: User, other_user: User
) -> None:
    secret = await documents.create(title="Mine", owner_id=editor.id, visibility=Visibility.PRIVATE)
    as_other = DocumentRepository(session, Scope(editor.organization_id, user_id=other_user.id))

    with pytest.raises(NotFound):
        await as_other.update(secret.id, expected_version=1, title="Theirs now")


async def test_the_search_vector_weights_the_title_over_the_content(
    session: AsyncSession, documents: DocumentRepository, editor: User
) -> None:
    in_title = await documents.create(title="Postgres tuning", content="notes", owner_id=editor.id)
    in_body = await documents.create(title="Notes", content="postgres tuning", owner_id=editor.id)
    query = func.websearch_to_tsquery("english", "postgres")

    ranked = (
        (
            await session.execute(
                select(Document.id)
                .where(Document.search_vector.op("@@")(query))
                .order_by(func.ts_rank(Document.search_vector, query).desc())
            )
        )
        .scalars()
        .all()
    )

    assert ranked == [in_title.id, in_body.id]


async def test_tags_attach_once_and_load_for_many_documents_in_one_statement(
    documents: DocumentRepository, tags: TagRepository, editor: User, statements: StatementCounter
) -> None:
    first = await documents.create(title="First", owner_id=editor.id)
    second = await documents.create(title="Second", owner_id=editor.id)
    python, sql = await tags.ensure(["python", "sql"])
    await tags.tag_document(first.id, [python.id, sql.id, python.id])
    await tags.tag_document(first.id, [python.id])
    await tags.tag_document(second.id, [sql.id])
    statements.reset()

    by_document = await tags.for_documents([first.id, second.id])

    assert statements.count == 1
    assert [t.name for t in by_document[first.id]] == ["python", "sql"]
    assert [t.name for t in by_document[second.id]] == ["sql"]


async def test_ensure_reuses_existing_tags_ignoring_case(tags: TagRepository) -> None:
    (created,) = await tags.ensure(["Python"])

    again = await tags.ensure(["python", "new"])

    assert again[0].id == created.id and again[1].name == "new"
    with pytest.raises(ValidationError):
        await tags.ensure([" "])


async def test_untagging_removes_only_the_named_tags(
    documents: DocumentRepository, tags: TagRepository, editor: User
) -> None:
    doc = await documents.create(title="Doc", owner_id=editor.id)
    a, b = await tags.ensure(["a", "b"])
    await tags.tag_document(doc.id, [a.id, b.id])

    await tags.untag_document(doc.id, [a.id])

    assert [t.name for t in (await tags.for_documents([doc.id]))[doc.id]] == ["b"]


async def test_documents_filter_by_tag(
    documents: DocumentRepository, tags: TagRepository, editor: User
) -> None:
    tagged = await documents.create(title="Tagged", owner_id=editor.id)
    await documents.create(title="Plain", owner_id=editor.id)
    (tag,) = await tags.ensure(["x"])
    await tags.tag_document(tagged.id, [tag.id])

    page = await documents.page(Window(first=10), filter=DocumentFilter(tag_id=tag.id))

    assert [d.title for d in page.items] == ["Tagged"]


async def test_annotations_load_in_text_order_for_many_documents(
    annotations: AnnotationRepository, document, editor: User, statements: StatementCounter
) -> None:
    await annotations.create_many(
        [
            {
                "document_id": document.id,
                "author_id": editor.id,
                "start_offset": s,
                "end_offset": s + 2,
                "body": f"at {s}",
            }
            for s in (7, 0, 3)
        ]
    )
    statements.reset()

    by_document = await annotations.for_documents([document.id])

    assert statements.count == 1
    assert [a.start_offset for a in by_document[document.id]] == [0, 3, 7]
