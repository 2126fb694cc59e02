"""Posting at once: every message gets its own position, and a reader following the
conversation with `after` never skips one that commits later with an earlier position."""

from __future__ import annotations

import asyncio

from tests.graph.conftest import GraphQLClient, World
from tests.graph.conversation.conftest import Chat

FOLLOW = """
query Follow($id: ID!, $after: String) {
  conversation(id: $id) {
    messages(first: 100, after: $after) { edges { cursor node { position } } }
  }
}
"""
ROUNDS = 20
POSTS_PER_ROUND = 4
READS_PER_ROUND = 2


async def test_concurrent_posts_take_distinct_positions_and_readers_never_skip_one(
    chat: Chat, gql: GraphQLClient, world: World
) -> None:
    conversation = await chat.start(
        world.editor, with_=(world.viewer, world.admin), visibility="ORGANIZATION"
    )
    id = conversation["id"]
    posters = [world.editor.token, world.viewer.token, world.admin.token, world.editor.token]
    seen_until, cursor = 0, None
    for round in range(ROUNDS):
        posts = [chat.post(token, id, f"round {round} post {n}") for n, token in enumerate(posters)]
        reads = [
            gql(FOLLOW, {"id": id, "after": cursor}, token=world.viewer.token)
            for _ in range(READS_PER_ROUND)
        ]
        results = await asyncio.gather(*posts, *reads)

        posted = results[:POSTS_PER_ROUND]
        assert [p["__typename"] for p in posted] == ["MessagePostSuccess"] * POSTS_PER_ROUND
        numbers = sorted(p["message"]["position"] for p in posted)
        assert numbers == list(range(seen_until + 1, seen_until + POSTS_PER_ROUND + 1))
        for read in results[POSTS_PER_ROUND:]:
            assert "errors" not in read, read["errors"]
            got = [e["node"]["position"] for e in read["data"]["conversation"]["messages"]["edges"]]
            # whatever a reader saw mid-round is a gapless run right after what it had
            assert got == list(range(seen_until + 1, seen_until + 1 + len(got)))
        final = await gql(FOLLOW, {"id": id, "after": cursor}, token=world.viewer.token)
        edges = final["data"]["conversation"]["messages"]["edges"]
        assert [e["node"]["position"] for e in edges] == numbers
        seen_until, cursor = numbers[-1], edges[-1]["cursor"]
