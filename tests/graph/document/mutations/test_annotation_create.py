from __future__ import annotations

import pytest

from persistence.collection.models import Visibility
from persistence.database import Database
from persistence.document.models import Annotation
from tests.graph.conftest import GraphQLClient, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import audit_events, gid, only, row_id

ANNOTATE = """
mutation Annotate($input: AnnotationCreateInput!) {
  annotationCreate(input: $input) {
    __typename
    ... on AnnotationCreateSuccess {
      annotation { id startOffset endOffset quote body author { username } document { title } }
    }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""


def span(document_id: str, start: int, end: int) -> dict[str, object]:
    return {
        "input": {"documentId": document_id, "startOffset": start, "endOffset": end, "body": "Why?"}
    }


async def test_an_editor_annotates_a_span_quoted_from_the_content(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    document = await given.document("Runbook", content="Restart the queue first.", by=world.admin)

    result = await gql(
        ANNOTATE, span(gid("Document", document.id), 8, 17), token=world.editor.token
    )

    annotation = only(result, "annotationCreate")["annotation"]
    assert annotation["quote"] == "the queue"
    assert (annotation["startOffset"], annotation["endOffset"]) == (8, 17)
    assert annotation["author"] == {"username": "editor"}
    assert annotation["document"] == {"title": "Runbook"}
    (event,) = await audit_events(database, row_id(annotation["id"]))
    assert event.action == "annotationCreate" and event.entity_type == "Annotation"
    assert event.changes["quote"] == {"old": None, "new": "the queue"}


async def test_a_span_may_end_at_the_end_of_the_content(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(content="abc")

    result = await gql(ANNOTATE, span(gid("Document", document.id), 1, 3), token=world.editor.token)

    assert only(result, "annotationCreate")["annotation"]["quote"] == "bc"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(0, 4, "endOffset"), (5, 9, "endOffset"), (2, 1, "startOffset"), (-1, 2, "startOffset")],
)
async def test_offsets_outside_the_content_are_validation_errors_and_write_nothing(
    gql: GraphQLClient, world: World, given: Given, start: int, end: int, field: str
) -> None:
    document = await given.document(content="abc")

    result = await gql(
        ANNOTATE, span(gid("Document", document.id), start, end), token=world.editor.token
    )

    payload = only(result, "annotationCreate")
    assert (payload["__typename"], payload["field"]) == ("ValidationError", field)
    assert await given.stored(Annotation) == 0
    assert await given.audit_count() == 0


async def test_a_private_document_of_someone_else_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(content="secret", by=world.admin, visibility=Visibility.PRIVATE)

    result = await gql(ANNOTATE, span(gid("Document", document.id), 0, 3), token=world.editor.token)

    assert only(result, "annotationCreate")["__typename"] == "NotFound"
    assert await given.stored(Annotation) == 0


async def test_a_deleted_document_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.deleted(await given.document(content="gone"))

    result = await gql(ANNOTATE, span(gid("Document", document.id), 0, 3), token=world.editor.token)

    assert only(result, "annotationCreate")["__typename"] == "NotFound"


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    document = await given.document(content="abc")

    result = await gql(ANNOTATE, span(gid("Document", document.id), 0, 1), token=world.viewer.token)

    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


async def test_an_anonymous_caller_is_unauthenticated(gql: GraphQLClient, given: Given) -> None:
    document = await given.document(content="abc")

    result = await gql(ANNOTATE, span(gid("Document", document.id), 0, 1))

    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]


NODE = """
query Node($id: ID!) { node(id: $id) { ... on Annotation { quote } } }
"""


async def test_an_annotation_on_a_private_document_is_hidden_like_the_document(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(content="secret", by=world.admin, visibility=Visibility.PRIVATE)
    result = await gql(ANNOTATE, span(gid("Document", document.id), 0, 6), token=world.admin.token)
    annotation_id = only(result, "annotationCreate")["annotation"]["id"]

    hidden = await gql(NODE, {"id": annotation_id}, token=world.editor.token)
    shown = await gql(NODE, {"id": annotation_id}, token=world.admin.token)

    assert only(hidden, "node") is None
    assert only(shown, "node") == {"quote": "secret"}
