"""`schema.graphql` is an artifact: it must be what the code exports."""

from __future__ import annotations

from pathlib import Path

from graph.cli import main
from graph.export import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""

    exported = schema_sdl()

    assert committed == exported, (
        "schema.graphql is out of date with the code: "
        "run `khub export-schema --output schema.graphql` and commit it"
    )


def test_export_schema_command_writes_the_sdl(tmp_path: Path) -> None:
    output = tmp_path / "schema.graphql"

    status = main(["export-schema", "--output", str(output)])

    assert status == 0
    assert output.read_text(encoding="utf-8") == schema_sdl()
