"""`schema.graphql` is an artifact: it must be what the code exports."""

from __future__ import annotations

import re
from pathlib import Path

from graph.cli import main
from graph.export import schema_sdl
from tests.graph.conftest import GraphQLClient, World

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
JSON_SPECIFICATION = (
    "https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf"
)
RFC_3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


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


SPECIFIED_BY = """
query Scalars {
  dateTime: __type(name: "DateTime") { specifiedByURL }
  json: __type(name: "JSON") { specifiedByURL }
}
"""


async def test_custom_scalars_name_their_specification(gql: GraphQLClient) -> None:
    result = await gql(SPECIFIED_BY)

    assert result == {
        "data": {
            "dateTime": {"specifiedByURL": "https://www.rfc-editor.org/rfc/rfc3339"},
            "json": {"specifiedByURL": JSON_SPECIFICATION},
        }
    }


async def test_date_times_are_rfc_3339_with_an_offset(gql: GraphQLClient, world: World) -> None:
    result = await gql("query Me { viewer { createdAt } }", token=world.viewer.token)

    created_at = result["data"]["viewer"]["createdAt"]
    assert RFC_3339.fullmatch(created_at), created_at
