from __future__ import annotations

import asyncio

from persistence.database import Database
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import audit_events, only, row_id
from tests.graph.resource.conftest import create_resource

USE = """
mutation UseResource($input: ResourceUseInput!) {
  resourceUse(input: $input) {
    __typename
    ... on ResourceUseSuccess { resource { usageCount version } }
    ... on Error { message }
  }
}
"""

COUNTED = """
query UsageCount($id: ID!) { node(id: $id) { ... on Resource { usageCount version } } }
"""

CONCURRENT_USES = 8


async def test_any_member_counts_a_use_without_changing_the_version(
    gql: GraphQLClient, world: World, database: Database
) -> None:
    resource = await create_resource(gql, world.editor.token)

    result = await gql(USE, {"input": {"id": resource["id"]}}, token=world.viewer.token)

    assert only(result, "resourceUse")["resource"] == {"usageCount": 1, "version": 1}
    events = await audit_events(database, row_id(resource["id"]))
    assert events[-1].action == "resourceUse" and events[-1].actor_id == world.viewer.user.id
    assert events[-1].changes == {"usage_count": {"old": 0, "new": 1}}


async def test_concurrent_uses_are_all_counted(gql: GraphQLClient, world: World) -> None:
    """Invariant: N uses fired at once add exactly N, round after round (a read-then-write
    count would lose some)."""
    resource = await create_resource(gql, world.editor.token)
    members = [world.admin, world.editor, world.viewer]
    for round in range(1, 21):
        answers = await asyncio.gather(
            *(
                gql(USE, {"input": {"id": resource["id"]}}, token=members[i % 3].token)
                for i in range(CONCURRENT_USES)
            )
        )
        counts = sorted(only(a, "resourceUse")["resource"]["usageCount"] for a in answers)
        expected = list(range((round - 1) * CONCURRENT_USES + 1, round * CONCURRENT_USES + 1))
        assert counts == expected
    read = await gql(COUNTED, {"id": resource["id"]}, token=world.viewer.token)
    assert read["data"]["node"] == {"usageCount": 20 * CONCURRENT_USES, "version": 1}


async def test_a_deleted_resource_cannot_be_used(gql: GraphQLClient, world: World) -> None:
    resource = await create_resource(gql, world.editor.token)
    delete = "mutation Delete($id: ID!) { resourceDelete(input: {id: $id}) { __typename } }"
    await gql(delete, {"id": resource["id"]}, token=world.editor.token)

    result = await gql(USE, {"input": {"id": resource["id"]}}, token=world.viewer.token)

    assert only(result, "resourceUse")["__typename"] == "NotFound"
