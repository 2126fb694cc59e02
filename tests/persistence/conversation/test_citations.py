"""The database itself keeps messages and citations inside their organization, and keeps
a tombstone without its body."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.conversation.messages import CitationRepository, MessageRepository
from persistence.conversation.models import Message, MessageRole
from persistence.conversation.repository import ConversationRepository
from persistence.document.repository import DocumentRepository
from persistence.errors import NotFound, ValidationError
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.identity import create_user
from persistence.user.models import User
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.fixtures.users import PASSWORD


async def _answer(session: AsyncSession, scope: Scope, editor: User) -> Message:
    conversation = await ConversationRepository(session, scope).create(
        title="Support", owner_id=editor.id
    )
    return await MessageRepository(session, scope).post(
        conversation.id,
        role=MessageRole.ASSISTANT,
        author_user_id=editor.id,
        author_api_key_id=None,
        body="See the guide.",
    )


async def test_a_citation_into_another_organization_is_refused_by_the_database(
    session: AsyncSession, scope: Scope, editor: User, settings: Settings
) -> None:
    rival = Scope.system((await OrganizationRepository(session).create(slug="rv", name="R")).id)
    mallory = await create_user(
        UserRepository(session, rival),
        username="mallory",
        email="mallory@example.com",
        password=PASSWORD,
        settings=settings,
    )
    secret = await DocumentRepository(session, rival).create(
        title="Their secret", owner_id=mallory.id
    )
    message = await _answer(session, scope, editor)

    # The repository is told nothing about organizations beyond its own scope: the
    # organization-led foreign key (organization_id, document_id) is what refuses.
    with pytest.raises(NotFound) as raised:
        await CitationRepository(session, scope).create(
            message_id=message.id, rank=1, document_id=secret.id
        )

    assert raised.value.field == "document_id"


async def test_a_citation_names_either_a_document_or_a_knowledge_node(
    session: AsyncSession, scope: Scope, editor: User
) -> None:
    message = await _answer(session, scope, editor)

    with pytest.raises(ValidationError):
        await CitationRepository(session, scope).create(message_id=message.id, rank=1)


async def test_a_deleted_message_keeps_no_body(
    session: AsyncSession, scope: Scope, editor: User
) -> None:
    message = await _answer(session, scope, editor)

    tombstone = await MessageRepository(session, scope).tombstone(message.id, expected_version=1)

    assert (tombstone.body, tombstone.deleted_at is not None, tombstone.version) == (None, True, 2)
