from __future__ import annotations

from persistence.collection.models import Visibility
from persistence.database import Database
from persistence.document.models import DocumentTag, Tag
from tests.graph.conftest import GraphQLClient, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import audit_events, gid, only

TAGS_ADD = """
mutation TagsAdd($input: DocumentTagsAddInput!) {
  documentTagsAdd(input: $input) {
    __typename
    ... on DocumentTagsAddSuccess { document { version tags { name } } }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""

MISSING = "0190a000-0000-7000-8000-000000000000"


async def test_an_editor_adds_new_and_existing_tags_once_each(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    document = await given.document(by=world.admin)
    await given.tagged(document, "ops")
    await given.tagged(await given.document("Other"), "oncall")

    result = await gql(
        TAGS_ADD,
        {"input": {"id": gid("Document", document.id), "tagNames": ["OnCall", " ops ", "new"]}},
        token=world.editor.token,
    )

    payload = only(result, "documentTagsAdd")
    assert payload["__typename"] == "DocumentTagsAddSuccess"
    assert [t["name"] for t in payload["document"]["tags"]] == ["new", "oncall", "ops"]
    assert await given.stored(Tag) == 3
    (event,) = await audit_events(database, document.id)
    assert event.action == "documentTagsAdd" and event.actor_id == world.editor.user.id
    assert event.changes == {"tags": {"old": ["ops"], "new": ["new", "oncall", "ops"]}}


async def test_a_missing_document_is_not_found_and_creates_no_tags(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    result = await gql(
        TAGS_ADD,
        {"input": {"id": gid("Document", MISSING), "tagNames": ["fresh"]}},
        token=world.editor.token,
    )

    assert only(result, "documentTagsAdd")["__typename"] == "NotFound"
    assert await given.stored(Tag) == 0
    assert await given.audit_count() == 0


async def test_a_private_document_of_someone_else_is_not_found_and_creates_no_tags(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(by=world.admin, visibility=Visibility.PRIVATE)

    result = await gql(
        TAGS_ADD,
        {"input": {"id": gid("Document", document.id), "tagNames": ["fresh"]}},
        token=world.editor.token,
    )

    assert only(result, "documentTagsAdd")["__typename"] == "NotFound"
    assert await given.stored(Tag) == 0
    assert await given.stored(DocumentTag) == 0


async def test_a_blank_or_too_long_name_is_a_validation_error_and_creates_nothing(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document()

    for names in (["good", "  "], ["good", "x" * 101]):
        result = await gql(
            TAGS_ADD,
            {"input": {"id": gid("Document", document.id), "tagNames": names}},
            token=world.editor.token,
        )

        payload = only(result, "documentTagsAdd")
        assert (payload["__typename"], payload["field"]) == ("ValidationError", "tagNames")
    assert await given.stored(Tag) == 0


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    document = await given.document()

    result = await gql(
        TAGS_ADD,
        {"input": {"id": gid("Document", document.id), "tagNames": ["ops"]}},
        token=world.viewer.token,
    )

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.stored(Tag) == 0


async def test_tag_names_python_and_postgresql_fold_differently_round_trip(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    """`"İstanbul".lower()` and `"ΟΔΟΣ".lower()` in Python are not PostgreSQL's `lower()`:
    tags are matched to names by PostgreSQL alone, so each name finds its own tag."""
    document = await given.document(by=world.admin)
    names = ["İstanbul", "ΟΔΟΣ", "ß", "straße"]

    first = await gql(
        TAGS_ADD,
        {"input": {"id": gid("Document", document.id), "tagNames": names}},
        token=world.editor.token,
    )
    again = await gql(
        TAGS_ADD,
        {"input": {"id": gid("Document", document.id), "tagNames": names}},
        token=world.editor.token,
    )

    for result in (first, again):
        payload = only(result, "documentTagsAdd")
        assert payload["__typename"] == "DocumentTagsAddSuccess"
        assert sorted(t["name"] for t in payload["document"]["tags"]) == sorted(names)
    assert await given.stored(Tag) == 4
