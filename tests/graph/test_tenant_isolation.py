"""Through the app, another organization's rows do not exist: not by id, not in lists, not
its organization row (the app's login role is held by row-level security underneath)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from persistence.database import Database
from persistence.document.models import Document
from persistence.document.repository import DocumentRepository
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.user.models import Role
from tests.graph.conftest import GraphQLClient, World, organization_with
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
    async with organization_with(
        database, settings, {"owner": Role.VIEWER}, name="Theirs"
    ) as theirs:
        async with database.transaction() as session:
            scope = Scope.system(theirs.organization.id)
            document = await DocumentRepository(session, scope).create(
                title="Their secret", owner_id=theirs.members["owner"].user.id
            )
        yield document


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
