"""The `import` job kind: Markdown zips and JSON Lines into a target collection."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from persistence.audit.models import AuditEvent
from persistence.collection.repository import CollectionRepository
from persistence.database import Database
from persistence.document.models import Document
from persistence.errors import NotFound, ValidationError
from persistence.scope import Scope
from persistence.transfer.importing import NotAllowed, run_import
from persistence.transfer.settings import TransferSettings
from tests.fixtures.jobs import Cancelled
from tests.graph.conftest import Member, World
from tests.graph.transfer.conftest import SETTINGS, imported, job, stored, tree, zipped

GUIDE = """---
title: Getting Started
tags: [onboarding, Basics]
author: Ada
level: 2
---
# Ignored heading
Welcome.
"""
TUNING = """---
tags:
  - performance
  - basics
---
# Tuning the engine
Fast.
"""
FIXTURE = zipped(
    {
        "Guides/Getting started.md": GUIDE,
        "Guides/Advanced/Tuning.md": TUNING,
        "Readme.md": "No heading here.\n",
        "__MACOSX/Guides/._Getting started.md": b"\x00\x05",
    }
)
EXPECTED = {
    "collections": ["Inbox", "Inbox/Guides", "Inbox/Guides/Advanced"],
    "documents": {
        "Inbox/Guides:Getting Started": {
            "content": "# Ignored heading\nWelcome.\n",
            "tags": ["Basics", "onboarding"],
            "metadata": {"author": "Ada", "level": 2},
        },
        "Inbox/Guides/Advanced:Tuning the engine": {
            "content": "# Tuning the engine\nFast.\n",
            "tags": ["Basics", "performance"],
            "metadata": {},
        },
        "Inbox:Readme": {"content": "No heading here.\n", "tags": [], "metadata": {}},
    },
}


async def inbox(database: Database, member: Member, name: str = "Inbox") -> uuid.UUID:
    org = member.user.organization_id
    async with database.transaction() as session:
        repository = CollectionRepository(session, Scope.system(org))
        return (await repository.create(name=name, owner_id=member.user.id)).id


async def document_count(database: Database, organization_id: uuid.UUID) -> int:
    async with database.transaction() as session:
        stmt = select(func.count()).where(Document.organization_id == organization_id)
        return await session.scalar(stmt) or 0


async def test_a_markdown_zip_gives_the_exact_tree(
    database: Database, app_database: Database, world: World
) -> None:
    target = await inbox(database, world.editor)

    result = await imported(app_database, world.editor, FIXTURE, target)

    assert await tree(database, world.organization.id) == EXPECTED
    assert result == {
        "format": "markdown",
        "created": {"collections": 2, "documents": 3},
        "unchanged": 0,
        "problemCount": 0,
        "problems": [],
    }


async def test_importing_the_same_file_again_changes_nothing(
    database: Database, app_database: Database, world: World
) -> None:
    target = await inbox(database, world.editor)
    await imported(app_database, world.editor, FIXTURE, target)
    async with database.transaction() as session:
        audited = await session.scalar(select(func.count()).select_from(AuditEvent))

    again = await imported(app_database, world.editor, FIXTURE, target)

    assert await tree(database, world.organization.id) == EXPECTED
    assert again["created"] == {"collections": 0, "documents": 0}
    assert again["unchanged"] == 3
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == audited


async def test_bad_entries_are_reported_by_path_and_the_good_ones_land(
    database: Database, app_database: Database, world: World
) -> None:
    archive = zipped(
        {
            "good.md": "# Good\n",
            "latin1.md": "# Café\n".encode("latin-1"),
            "broken.md": "---\ntitle: x\n",
            "../escape.md": "# Evil\n",
            "picture.png": b"\x89PNG",
            "nul.md": "# Nul\n\x00",
        }
    )

    result = await imported(app_database, world.editor, archive)

    assert list((await tree(database, world.organization.id))["documents"]) == [":Good"]
    assert result["created"] == {"collections": 0, "documents": 1}
    assert result["problems"] == [
        {"where": "../escape.md", "message": "the path leaves the archive; skipped"},
        {"where": "latin1.md", "message": "not UTF-8 text; skipped"},
        {"where": "broken.md", "message": "the front matter has no closing `---`; skipped"},
        {"where": "picture.png", "message": "not a Markdown file (.md); skipped"},
        {"where": "nul.md", "message": "the text contains a NUL character; skipped"},
    ]


async def test_json_lines_report_bad_lines_by_number_and_the_good_ones_land(
    database: Database, app_database: Database, world: World
) -> None:
    lines = [
        b'{"title": "One", "content": "a", "tags": ["x"]}',
        b"not json",
        b"[1, 2]",
        b'{"content": "no title"}',
        b"",
        b'{"title": "Six", "metadata": {"k": 1}, "id": "six"}',
        b'{"title": "\xff"}',
    ]

    result = await imported(app_database, world.editor, b"\n".join(lines))

    documents = (await tree(database, world.organization.id))["documents"]
    assert documents == {
        ":One": {"content": "a", "tags": ["x"], "metadata": {}},
        ":Six": {"content": "", "tags": [], "metadata": {"k": 1}},
    }
    assert [(p["where"], p["message"]) for p in result["problems"]] == [
        ("line 2", "not valid JSON; skipped"),
        ("line 3", "not a JSON object; skipped"),
        ("line 4", "`title` must be a non-empty string; skipped"),
        ("line 7", "not UTF-8 text; skipped"),
    ]


async def test_a_zip_bomb_is_refused_before_anything_is_written(
    database: Database, app_database: Database, world: World
) -> None:
    bomb = zipped({"a.md": "# A\n", "b/zeros.md": b"0" * 1_000_000})
    assert len(bomb) < 10_000

    with pytest.raises(ValidationError, match="inflates to more than 100000 bytes"):
        await imported(
            app_database,
            world.editor,
            bomb,
            settings=TransferSettings(max_uncompressed_bytes=100_000),
        )

    assert await tree(database, world.organization.id) == {"collections": [], "documents": {}}


async def test_an_archive_with_too_many_entries_is_refused(
    database: Database, app_database: Database, world: World
) -> None:
    archive = zipped({f"{n}.md": f"# {n}\n" for n in range(5)})

    with pytest.raises(ValidationError, match="the archive has 5 entries; at most 4"):
        await imported(
            app_database, world.editor, archive, settings=TransferSettings(max_entries=4)
        )

    assert await document_count(database, world.organization.id) == 0


async def test_an_import_resumed_after_it_stopped_writes_each_entry_once(
    database: Database, app_database: Database, world: World
) -> None:
    target = await inbox(database, world.editor)
    file_id = await stored(app_database, world.editor, FIXTURE)
    params = {"file_id": str(file_id), "collection_id": str(target)}
    stopped = job(app_database, world.editor, "import", **params)
    stopped.cancel_at_step = 3  # opening, folders, first batch committed; the second not

    with pytest.raises(Cancelled):
        await run_import(stopped, SETTINGS)
    assert await document_count(database, world.organization.id) == 2
    resumed = await run_import(job(app_database, world.editor, "import", **params), SETTINGS)

    assert await tree(database, world.organization.id) == EXPECTED
    assert (resumed["created"]["documents"], resumed["unchanged"]) == (1, 2)


async def test_two_imports_of_one_file_at_once_write_each_entry_once(
    database: Database, app_database: Database, world: World
) -> None:
    file_id = await stored(app_database, world.editor, FIXTURE)
    for round in range(20):
        target = await inbox(database, world.editor, name=f"Inbox {round}")
        params = {"file_id": str(file_id), "collection_id": str(target)}
        runs = [job(app_database, world.editor, "import", **params) for _ in range(2)]

        results = await asyncio.gather(*(run_import(r, SETTINGS) for r in runs))

        assert sum(r["created"]["documents"] for r in results) == 3
        assert sum(r["created"]["collections"] for r in results) == 2
    assert await document_count(database, world.organization.id) == 60


async def test_a_viewer_cannot_import(app_database: Database, world: World) -> None:
    with pytest.raises(NotAllowed, match="only editors and admins may import"):
        await imported(app_database, world.viewer, FIXTURE)


async def test_a_file_of_another_user_cannot_be_imported(
    app_database: Database, world: World
) -> None:
    file_id = await stored(app_database, world.editor, FIXTURE)
    run = job(app_database, world.admin, "import", file_id=str(file_id), collection_id=None)

    with pytest.raises(NotFound):
        await run_import(run, SETTINGS)
