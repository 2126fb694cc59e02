"""The compiled path keeps GraphQL-over-HTTP as the reference speaks it."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.graph.compiler.conftest import Both
from tests.graph.conftest import World

QUERY = "query ($n: Int) { documents(first: $n) { totalCount } viewer { username } }"


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_post_answers_with_the_reference_media_type_and_status(
    both: Both, world: World, accept: str
) -> None:
    headers = {"Authorization": f"Bearer {world.viewer.token}", "Accept": accept}
    body = {"query": QUERY, "variables": {"n": 2}}

    compiled = await both.compiled.post("/graphql", json=body, headers=headers)
    reference = await both.reference.post("/graphql", json=body, headers=headers)

    assert compiled.headers["x-khub-execution"] == "compiled"
    assert compiled.status_code == reference.status_code == 200
    assert compiled.headers["content-type"] == reference.headers["content-type"]
    assert compiled.json() == reference.json()


async def test_get_answers_compiled_like_the_reference(both: Both, world: World) -> None:
    params = {"query": QUERY, "variables": json.dumps({"n": 1})}
    headers = {"Authorization": f"Bearer {world.viewer.token}", "Accept": "application/json"}

    compiled = await both.compiled.get("/graphql", params=params, headers=headers)
    reference = await both.reference.get("/graphql", params=params, headers=headers)

    assert compiled.headers["x-khub-execution"] == "compiled"
    assert compiled.headers["content-type"] == reference.headers["content-type"]
    assert compiled.json() == reference.json()


async def test_a_document_with_two_operations_and_no_name_is_left_to_the_reference(
    client: httpx.AsyncClient, world: World
) -> None:
    query = "query A { viewer { username } } query B { viewer { id } }"

    response = await client.post(
        "/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {world.viewer.token}"},
    )

    assert response.headers["x-khub-execution"] == "reference"


@pytest.mark.parametrize("levels", [250, 1_500])
async def test_variables_nested_too_deeply_are_400_for_a_compilable_query(
    client: httpx.AsyncClient, world: World, levels: int
) -> None:
    # An undeclared variable is ignored by coercion: the compiled path must refuse the
    # request as the reference does, before it reads the variables.
    nested = '{"a": ' * levels + "1" + "}" * levels
    body = f'{{"query": "{{ viewer {{ username }} }}", "variables": {{"x": {nested}}}}}'

    response = await client.post(
        "/graphql",
        content=body.encode(),
        headers={
            "Authorization": f"Bearer {world.viewer.token}",
            "Content-Type": "application/json",
        },
    )

    assert response.status_code == 400
    assert response.headers["x-khub-execution"] == "reference"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
