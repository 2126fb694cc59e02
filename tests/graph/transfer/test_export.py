"""The `export` job kind: the organization's content as JSON Lines in a zip, which imports
back into a fresh organization as the same content."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from persistence.collection.models import Visibility
from persistence.collection.repository import CollectionRepository
from persistence.database import Database
from persistence.document.models import DocumentStatus, DocumentTag, Tag
from persistence.document.repository import AnnotationRepository, DocumentRepository
from persistence.file.repository import FileRepository
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.knowledge.repository import KnowledgeEdgeRepository, KnowledgeNodeRepository
from persistence.scope import Scope
from persistence.settings import Settings
from persistence.transfer.exporting import run_export
from persistence.user.models import Role
from tests.graph.conftest import Member, World, organization_with
from tests.graph.transfer.conftest import SETTINGS, content_of, imported, job


async def given_content(database: Database, world: World) -> None:
    """Two levels of collections, public and private documents with tags, metadata and an
    annotation, nodes (one with an embedding, one from a document) and edges."""
    org, editor, admin = world.organization.id, world.editor.user, world.admin.user
    async with database.transaction() as session:
        scope = Scope.system(org)
        guides = await CollectionRepository(session, scope).create(
            name="Guides", owner_id=editor.id, color="#aa00ff", icon="book", description="How"
        )
        deep = await CollectionRepository(session, scope).create(
            name="Deep", parent_id=guides.id, owner_id=editor.id
        )
        documents = DocumentRepository(session, scope)
        intro = await documents.create(
            title="Intro",
            content="Hello there",
            owner_id=editor.id,
            collection_id=guides.id,
            status=DocumentStatus.PUBLISHED,
            metadata_={"level": 1, "authors": ["Ada"]},
        )
        await documents.create(title="Loose", content="At the root", owner_id=editor.id)
        secret = await documents.create(
            title="Secret",
            content="Admins only",
            owner_id=admin.id,
            collection_id=deep.id,
            visibility=Visibility.PRIVATE,
        )
        tags = [Tag(organization_id=org, name=name) for name in ("alpha", "Beta", "unused")]
        session.add_all(tags)
        await session.flush()
        session.add_all(
            [
                DocumentTag(organization_id=org, document_id=intro.id, tag_id=tags[0].id),
                DocumentTag(organization_id=org, document_id=intro.id, tag_id=tags[1].id),
                DocumentTag(organization_id=org, document_id=secret.id, tag_id=tags[1].id),
            ]
        )
        await AnnotationRepository(session, scope).create(
            document_id=intro.id,
            author_id=editor.id,
            start_offset=0,
            end_offset=5,
            quote="Hello",
            body="Greeting",
        )
        await AnnotationRepository(session, scope).create(
            document_id=secret.id,
            author_id=admin.id,
            start_offset=0,
            end_offset=6,
            quote="Admins",
            body="Hush",
        )
        nodes = KnowledgeNodeRepository(session, scope)
        ada = await nodes.create(
            label="Ada",
            node_type="person",
            properties={"born": 1815},
            embedding=[0.5] * EMBEDDING_DIMENSIONS,
        )
        engine = await nodes.create(
            label="Engine", node_type="concept", source_document_id=intro.id
        )
        await KnowledgeEdgeRepository(session, scope).create(
            source_id=ada.id,
            target_id=engine.id,
            edge_type="designed",
            weight=0.75,
            properties={"year": 1837},
        )


async def exported_bytes(app_database: Database, member: Member) -> tuple[dict[str, Any], bytes]:
    run = job(app_database, member, "export")
    result = await run_export(run, SETTINGS)
    user = member.user
    async with app_database.transaction(user.organization_id) as session:
        scope = Scope(user.organization_id, user_id=user.id)
        return result, await FileRepository(session, scope).content_of(result["fileId"])


async def test_an_export_imports_into_a_fresh_organization_as_the_same_content(
    database: Database, app_database: Database, settings: Settings, world: World
) -> None:
    await given_content(database, world)

    result, archive = await exported_bytes(app_database, world.admin)
    async with organization_with(database, settings, {"owner": Role.ADMIN}, name="Fresh") as fresh:
        first = await imported(app_database, fresh.members["owner"], archive)
        again = await imported(app_database, fresh.members["owner"], archive)

        assert await content_of(database, fresh.organization.id) == await content_of(
            database, world.organization.id
        )
    assert result["counts"] == {
        "collections": 2,
        "tags": 3,
        "documents": 3,
        "annotations": 2,
        "knowledge_nodes": 2,
        "knowledge_edges": 1,
    }
    assert first["problems"] == [] and first["unchanged"] == 0
    assert first["created"] == {
        "collections": 2,
        "documents": 3,
        "annotations": 2,
        "knowledge_nodes": 2,
        "knowledge_edges": 1,
    }
    assert set(again["created"].values()) == {0} and again["unchanged"] == 8


async def test_an_export_holds_only_what_its_requester_may_see(
    database: Database, app_database: Database, world: World
) -> None:
    await given_content(database, world)

    result, archive = await exported_bytes(app_database, world.editor)

    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        documents = opened.read("documents.jsonl").decode()
        annotations = opened.read("annotations.jsonl").decode()
    assert "Secret" not in documents and "Hush" not in annotations
    assert result["counts"]["documents"] == 2 and result["counts"]["annotations"] == 1
