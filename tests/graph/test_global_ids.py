"""Global ids: unknown types name nothing (null, as Relay asks); what is not a global id at
all is BAD_USER_INPUT in queries and a ValidationError in mutations, echoed only clipped."""

from __future__ import annotations

import base64
import uuid

import pytest

from tests.graph.conftest import GraphQLClient, World

NODE = "query Node($id: ID!) { node(id: $id) { id } }"
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }"
FILTERED = "query Owned($owner: ID!) { documents(filter: {ownerId: $owner}) { totalCount } }"
CREATE = """
mutation Create($input: DocumentCreateInput!) {
  documentCreate(input: $input) { __typename ... on ValidationError { message field } }
}
"""
COUNT = "{ documents { totalCount } }"

UNKNOWN_TYPE = base64.b64encode(f"Nope:{uuid.uuid4()}".encode()).decode()
MALFORMED = ["3586", "not base64!", base64.b64encode(b"no colon").decode(), "x" * 100_000]


async def test_a_node_of_an_unknown_type_is_null(gql: GraphQLClient, world: World) -> None:
    result = await gql(NODE, {"id": UNKNOWN_TYPE}, token=world.viewer.token)

    assert result == {"data": {"node": None}}


async def test_nodes_answers_null_for_unknown_types_and_keeps_the_order(
    gql: GraphQLClient, world: World
) -> None:
    ids = [UNKNOWN_TYPE, world.admin.global_id]

    result = await gql(NODES, {"ids": ids}, token=world.viewer.token)

    assert result == {"data": {"nodes": [None, {"id": world.admin.global_id}]}}


@pytest.mark.parametrize("bad", MALFORMED, ids=["digits", "punctuation", "no-type", "huge"])
async def test_a_malformed_node_id_is_bad_user_input(
    gql: GraphQLClient, world: World, bad: str
) -> None:
    for query, variables, field in ((NODE, {"id": bad}, "id"), (NODES, {"ids": [bad]}, "ids")):
        result = await gql(query, variables, token=world.viewer.token)

        assert "data" not in result
        (error,) = result["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
        assert error["message"].startswith(f"{field} is not a valid id")
        assert len(error["message"]) <= 120


async def test_a_malformed_id_in_a_filter_is_bad_user_input(
    gql: GraphQLClient, world: World
) -> None:
    result = await gql(FILTERED, {"owner": "3586"}, token=world.viewer.token)

    (error,) = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.ownerId"}


@pytest.mark.parametrize("bad", MALFORMED, ids=["digits", "punctuation", "no-type", "huge"])
async def test_a_malformed_id_in_a_mutation_is_bad_user_input_and_writes_nothing(
    gql: GraphQLClient, world: World, bad: str
) -> None:
    input = {"title": "T", "collectionId": bad}

    result = await gql(CREATE, {"input": input}, token=world.editor.token)

    assert "data" not in result
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.collectionId"}
    assert len(error["message"]) <= 120
    assert (await gql(COUNT, token=world.editor.token))["data"]["documents"]["totalCount"] == 0
