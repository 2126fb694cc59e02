"""Through the app, another organization's rows do not exist: not by id, not in lists, not
its organization row (the app's login role is held by row-level security underneath)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete

from persistence.database import Database
from persistence.document.models import Document
from persistence.document.repository import DocumentRepository
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.identity import create_user
from persistence.user.models import Organization
from persistence.user.repository import OrganizationRepository, UserRepository
from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.fixtures import gid

READS = """
query ($document: ID!, $organization: ID!) {
  document: node(id: $document) { id }
  organization: node(id: $organization) { id }
  many: nodes(ids: [$document, $organization]) { id }
  documents(first: 50) { totalCount edges { node { title } } }
  viewer { organization { slug } }
}
"""


@pytest.fixture
async def their_document(database: Database, settings: Settings) -> AsyncIterator[Document]:
    """A document of an organization the test's users do not belong to."""
    async with database.transaction() as session:
        org = await OrganizationRepository(session).create(
            slug=f"theirs-{uuid.uuid4().hex[:8]}", name="Theirs"
        )
        scope = Scope.system(org.id)
        owner = await create_user(
            UserRepository(session, scope),
            username="owner",
            email="owner@example.com",
            password=PASSWORD,
            settings=settings,
        )
        document = await DocumentRepository(session, scope).create(
            title="Their secret", owner_id=owner.id
        )
    yield document
    async with database.transaction() as session:
        await session.execute(delete(Organization).where(Organization.id == org.id))


async def test_another_organizations_rows_are_absent_from_every_read(
    gql: GraphQLClient, world: World, their_document: Document
) -> None:
    result = await gql(
        READS,
        {
            "document": gid("Document", their_document.id),
            "organization": gid("Organization", their_document.organization_id),
        },
        token=world.admin.token,
    )

    assert "errors" not in result, result["errors"]
    data = result["data"]
    assert data["document"] is None and data["organization"] is None
    assert data["many"] == [None, None]
    assert data["documents"] == {"totalCount": 0, "edges": []}
    assert data["viewer"]["organization"]["slug"] == world.organization.slug
