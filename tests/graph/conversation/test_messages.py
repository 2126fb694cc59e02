"""Messages: ordered, paged both ways, edited under optimistic locking, deleted as
tombstones, citing only what the poster may see."""

from __future__ import annotations

from tests.graph.conftest import GraphQLClient, World
from tests.graph.conversation.conftest import Chat

PAGE = """
query Page($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  conversation(id: $id) {
    messages(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node {
        position body role deletedAt editedAt version
        citations { rank spanStart spanEnd document { title } }
      } }
    }
  }
}
"""
EDIT = """
mutation Edit($input: MessageEditInput!) {
  messageEdit(input: $input) {
    __typename
    ... on MessageEditSuccess { message { body version editedAt } }
    ... on VersionConflict { currentVersion }
  }
}
"""
DELETE = """
mutation Remove($input: MessageDeleteInput!) {
  messageDelete(input: $input) {
    __typename ... on MessageDeleteSuccess { message { body deletedAt citations { rank } } }
  }
}
"""


async def page(gql: GraphQLClient, token: str, id: str, **window: object) -> dict[str, object]:
    result = await gql(PAGE, {"id": id, **window}, token=token)
    assert "errors" not in result, result["errors"]
    return result["data"]["conversation"]["messages"]  # type: ignore[no-any-return]


def positions(connection: dict[str, object]) -> list[int]:
    return [e["node"]["position"] for e in connection["edges"]]  # type: ignore[index, union-attr]


async def test_messages_page_from_the_newest_back_and_forwards_again(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.editor)
    for i in range(7):
        await chat.post(world.editor.token, conversation["id"], f"message {i + 1}")
    token, id = world.editor.token, conversation["id"]

    newest = await page(gql, token, id, last=3)
    older = await page(gql, token, id, last=3, before=newest["pageInfo"]["startCursor"])
    again = await page(gql, token, id, first=3, after=older["pageInfo"]["endCursor"])

    assert positions(newest) == [5, 6, 7] and newest["totalCount"] == 7
    assert newest["pageInfo"]["hasPreviousPage"] and not newest["pageInfo"]["hasNextPage"]
    assert positions(older) == [2, 3, 4] and older["pageInfo"]["hasNextPage"]
    assert positions(again) == [5, 6, 7]


async def test_an_edit_with_a_stale_version_is_a_conflict_and_changes_nothing(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.editor, with_=(world.viewer,))
    posted = (await chat.post(world.editor.token, conversation["id"], "Frist"))["message"]
    edit = {"id": posted["id"], "expectedVersion": 1, "body": "First"}

    edited = await gql(EDIT, {"input": edit}, token=world.editor.token)
    stale = await gql(EDIT, {"input": {**edit, "body": "Lost"}}, token=world.editor.token)
    by_other = await gql(EDIT, {"input": {**edit, "expectedVersion": 2}}, token=world.viewer.token)
    after = await page(gql, world.editor.token, conversation["id"])

    assert edited["data"]["messageEdit"]["message"]["version"] == 2
    assert edited["data"]["messageEdit"]["message"]["editedAt"] is not None
    assert stale["data"]["messageEdit"] == {"__typename": "VersionConflict", "currentVersion": 2}
    assert by_other["data"]["messageEdit"]["__typename"] == "PermissionDenied"
    assert after["edges"][0]["node"]["body"] == "First"


async def test_a_deleted_message_stays_in_place_as_a_tombstone(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.editor)
    document = await chat.document(world.editor, "Guide")
    cited = [{"documentId": document, "spanStart": 0, "spanEnd": 4}]
    posted = await chat.post(world.editor.token, conversation["id"], "Oops", citations=cited)
    await chat.post(world.editor.token, conversation["id"], "Next")

    deleted = await gql(
        DELETE, {"input": {"id": posted["message"]["id"]}}, token=world.editor.token
    )
    after = await page(gql, world.editor.token, conversation["id"])

    tombstone = deleted["data"]["messageDelete"]["message"]
    assert (tombstone["body"], tombstone["citations"]) == (None, [])
    assert tombstone["deletedAt"] is not None
    assert positions(after) == [1, 2]
    assert after["edges"][0]["node"]["body"] is None


async def test_citations_keep_their_rank_and_span(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.editor)
    guide = await chat.document(world.editor, "Guide")
    faq = await chat.document(world.editor, "FAQ")
    cited = [{"documentId": faq}, {"documentId": guide, "spanStart": 3, "spanEnd": 9}]

    await chat.post(world.editor.token, conversation["id"], "Answer", citations=cited)
    after = await page(gql, world.editor.token, conversation["id"])

    assert after["edges"][0]["node"]["citations"] == [
        {"rank": 1, "spanStart": None, "spanEnd": None, "document": {"title": "FAQ"}},
        {"rank": 2, "spanStart": 3, "spanEnd": 9, "document": {"title": "Guide"}},
    ]


async def test_citing_a_document_the_poster_cannot_see_is_not_found_and_posts_nothing(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(world.viewer, visibility="ORGANIZATION")
    private = await chat.document(world.editor, "Diary", visibility="PRIVATE")

    refused = await chat.post(
        world.viewer.token, conversation["id"], "Look", citations=[{"documentId": private}]
    )
    after = await page(gql, world.viewer.token, conversation["id"])

    assert refused["__typename"] == "NotFound"
    assert after["totalCount"] == 0
