from tests.graph.conversation.conftest import Chat

READ = """
query Read($id: ID!) { conversation(id: $id) { title messages(last: 2) {
  edges { cursor node { position body role author { username } citations { rank document { title } } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } } }
"""


async def test_smoke(chat: Chat, gql, world, client) -> None:
    c = await chat.start(world.editor, with_=(world.viewer,))
    doc = await chat.document(world.editor, "Guide")
    for i in range(3):
        r = await chat.post(world.viewer.token, c["id"], f"m{i}")
        assert r["__typename"] == "MessagePostSuccess", r
    key = await chat.api_key(world.editor)
    r = await chat.post(key, c["id"], "answer", citations=[{"documentId": doc}])
    assert r["__typename"] == "MessagePostSuccess", r
    assert r["message"]["role"] == "ASSISTANT"
    resp = await client.post("/graphql", json={"query": READ, "variables": {"id": c["id"]}}, headers={"Authorization": f"Bearer {world.viewer.token}"})
    print(resp.headers.get("x-khub-execution"), resp.json())
    assert 0
