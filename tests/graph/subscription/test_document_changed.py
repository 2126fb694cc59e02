"""`documentChanged`: committed changes reach subscribers who may see them, and nothing else."""

from __future__ import annotations

from typing import Any

import httpx

from persistence.database import Database
from tests.fixtures.websocket import Socket
from tests.graph.conftest import GraphQLClient, World
from tests.graph.fixtures import only
from tests.graph.subscription.conftest import listening

DOCUMENT_CHANGED = """
subscription Changes($filter: DocumentChangeFilter) {
  documentChanged(filter: $filter) {
    kind version document { id title visibility owner { username } }
  }
}
"""
CREATE = """
mutation Create($input: DocumentCreateInput!) {
  documentCreate(input: $input) {
    __typename ... on DocumentCreateSuccess { document { id version } }
  }
}
"""
UPDATE = """
mutation Update($input: DocumentUpdateInput!) {
  documentUpdate(input: $input) {
    __typename ... on DocumentUpdateSuccess { document { id version } }
  }
}
"""


async def create(gql: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    return only(await gql(CREATE, {"input": input}, token=token), "documentCreate")["document"]


async def test_a_subscriber_receives_each_committed_change_with_its_kind_and_version(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    async with Socket(app) as socket:
        assert (await socket.init({"token": world.viewer.token}))["type"] == "connection_ack"
        await socket.subscribe("1", DOCUMENT_CHANGED)
        await listening(app)

        created = await create(gql, world.editor.token, title="Runbook")
        first = await socket.receive()
        update = {"id": created["id"], "expectedVersion": 1, "title": "Runbook v2"}
        await gql(UPDATE, {"input": update}, token=world.editor.token)
        second = await socket.receive()
    assert first == {
        "id": "1",
        "type": "next",
        "payload": {
            "data": {
                "documentChanged": {
                    "kind": "CREATED",
                    "version": 1,
                    "document": {
                        "id": created["id"],
                        "title": "Runbook",
                        "visibility": "ORGANIZATION",
                        "owner": {"username": "editor"},
                    },
                }
            }
        },
    }
    change = second["payload"]["data"]["documentChanged"]
    assert (change["kind"], change["version"]) == ("UPDATED", 2)
    assert change["document"]["title"] == "Runbook v2"


async def test_a_private_document_of_another_user_never_reaches_a_subscriber(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    async with Socket(app) as viewer, Socket(app) as admin:
        await viewer.init({"token": world.viewer.token})
        await admin.init({"token": world.admin.token})
        await viewer.subscribe("v", DOCUMENT_CHANGED)
        await admin.subscribe("a", DOCUMENT_CHANGED)
        await listening(app, 2)

        secret = await create(gql, world.editor.token, title="Secret", visibility="PRIVATE")
        shared = await create(gql, world.editor.token, title="Shared")

        seen_by_viewer = (await viewer.receive())["payload"]["data"]["documentChanged"]
        seen_by_admin = [
            (await admin.receive())["payload"]["data"]["documentChanged"] for _ in range(2)
        ]
        assert await viewer.nothing_within(0.3)
    assert seen_by_viewer["document"]["id"] == shared["id"]
    assert [c["document"]["id"] for c in seen_by_admin] == [secret["id"], shared["id"]]


async def test_a_filter_narrows_the_changes_to_matching_documents(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    watched = await create(gql, world.editor.token, title="Watched")
    other = await create(gql, world.editor.token, title="Other")
    async with Socket(app) as socket:
        await socket.init({"token": world.viewer.token})
        await socket.subscribe("1", DOCUMENT_CHANGED, {"filter": {"ids": [watched["id"]]}})
        await listening(app)

        for document in (other, watched):
            update = {"id": document["id"], "expectedVersion": 1, "title": "Changed"}
            await gql(UPDATE, {"input": update}, token=world.editor.token)

        change = (await socket.receive())["payload"]["data"]["documentChanged"]
    assert change["document"]["id"] == watched["id"]


async def test_a_mutation_whose_transaction_rolls_back_publishes_nothing(
    app: Any, client: httpx.AsyncClient, gql: GraphQLClient, world: World, database: Database
) -> None:
    # A deferred check fails at COMMIT, after the update wrote the document, its audit event
    # and its notice: the transaction rolls back as a whole, and the document is unchanged.
    kept = await create(gql, world.editor.token, title="kept")
    async with database.engine.begin() as connection:
        for statement in DOOMED_TRIGGER:
            await connection.exec_driver_sql(statement)
    try:
        async with Socket(app) as socket:
            await socket.init({"token": world.viewer.token})
            await socket.subscribe("1", DOCUMENT_CHANGED)
            await listening(app)

            doomed = {"id": kept["id"], "expectedVersion": 1, "title": "doomed"}
            body = {"query": UPDATE, "variables": {"input": doomed}}
            headers = {"Authorization": f"Bearer {world.editor.token}"}
            refused = await client.post("/graphql", json=body, headers=headers)

            assert await socket.nothing_within(0.5)
    finally:
        async with database.engine.begin() as connection:
            await connection.exec_driver_sql("DROP TRIGGER doomed ON documents")
    assert "errors" in refused.json()
    current = await gql(VERSION, {"id": kept["id"]}, token=world.editor.token)
    assert current["data"]["node"]["version"] == 1


VERSION = "query Version($id: ID!) { node(id: $id) { ... on Document { version } } }"
DOOMED_TRIGGER = (
    """CREATE OR REPLACE FUNCTION khub_test_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'doomed at commit'; END $$""",
    """CREATE CONSTRAINT TRIGGER doomed AFTER UPDATE ON documents DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.title = 'doomed') EXECUTE FUNCTION khub_test_doomed()""",
)
