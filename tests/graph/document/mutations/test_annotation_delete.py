from __future__ import annotations

from persistence.collection.models import Visibility
from persistence.database import Database
from persistence.document.models import Annotation
from tests.graph.conftest import GraphQLClient, World
from tests.graph.document.mutations.conftest import Given
from tests.graph.fixtures import audit_events, gid, only

DELETE = """
mutation Delete($input: AnnotationDeleteInput!) {
  annotationDelete(input: $input) {
    __typename
    ... on AnnotationDeleteSuccess { deletedId document { annotations { body } } }
    ... on ValidationError { field }
    ... on Error { message }
  }
}
"""


async def test_the_author_deletes_an_annotation(
    gql: GraphQLClient, world: World, given: Given, database: Database
) -> None:
    document = await given.document(content="abc", by=world.admin)
    annotation = await given.annotation(document, start=0, end=2)
    annotation_id = gid("Annotation", annotation.id)

    result = await gql(DELETE, {"input": {"id": annotation_id}}, token=world.editor.token)

    payload = only(result, "annotationDelete")
    assert payload["deletedId"] == annotation_id
    assert payload["document"] == {"annotations": []}
    assert await given.stored(Annotation) == 0
    (event,) = await audit_events(database, annotation.id)
    assert event.action == "annotationDelete" and event.actor_id == world.editor.user.id
    assert event.changes["quote"] == {"old": "ab", "new": None}


async def test_an_admin_deletes_someone_elses_annotation(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    annotation = await given.annotation(await given.document(content="abc"))

    result = await gql(
        DELETE, {"input": {"id": gid("Annotation", annotation.id)}}, token=world.admin.token
    )

    assert only(result, "annotationDelete")["__typename"] == "AnnotationDeleteSuccess"


async def test_an_editor_may_not_delete_someone_elses_annotation(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(content="abc")
    annotation = await given.annotation(document, by=world.admin)

    result = await gql(
        DELETE, {"input": {"id": gid("Annotation", annotation.id)}}, token=world.editor.token
    )

    assert only(result, "annotationDelete")["__typename"] == "PermissionDenied"
    assert await given.stored(Annotation) == 1
    assert await given.audit_count() == 0


async def test_an_annotation_on_a_private_document_of_someone_else_is_not_found(
    gql: GraphQLClient, world: World, given: Given
) -> None:
    document = await given.document(content="abc", by=world.admin, visibility=Visibility.PRIVATE)
    annotation = await given.annotation(document, by=world.admin)

    result = await gql(
        DELETE, {"input": {"id": gid("Annotation", annotation.id)}}, token=world.editor.token
    )

    assert only(result, "annotationDelete")["__typename"] == "NotFound"
    assert await given.stored(Annotation) == 1


async def test_an_unknown_annotation_is_not_found(gql: GraphQLClient, world: World) -> None:
    missing = gid("Annotation", "0190a000-0000-7000-8000-000000000000")

    result = await gql(DELETE, {"input": {"id": missing}}, token=world.editor.token)

    assert only(result, "annotationDelete")["__typename"] == "NotFound"


async def test_a_viewer_is_forbidden(gql: GraphQLClient, world: World, given: Given) -> None:
    annotation = await given.annotation(await given.document(content="abc"), by=world.viewer)

    result = await gql(
        DELETE, {"input": {"id": gid("Annotation", annotation.id)}}, token=world.viewer.token
    )

    assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]
    assert await given.stored(Annotation) == 1
