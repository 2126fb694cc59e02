"""Each organization setting wired now governs what it says: the default visibility of new
documents, the lifetime of login sessions, and the login throttle's thresholds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.graph.conftest import PASSWORD, GraphQLClient, World
from tests.graph.fixtures import only
from tests.graph.user.conftest import calling_from

UPDATE = """
mutation UpdateSettings($input: OrganizationSettingsUpdateInput!) {
  organizationSettingsUpdate(input: $input) {
    __typename
    ... on OrganizationSettingsUpdateSuccess { settings { version } }
  }
}
"""

CREATE = """
mutation CreateDocument($input: DocumentCreateInput!) {
  documentCreate(input: $input) {
    __typename
    ... on DocumentCreateSuccess { document { id visibility } }
  }
}
"""

NODE = "query Node($id: ID!) { node(id: $id) { id } }"

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginSuccess { expiresAt }
  }
}
"""


async def settle(gql: GraphQLClient, world: World, **input: Any) -> None:
    result = await gql(UPDATE, {"input": {"expectedVersion": 0, **input}}, token=world.admin.token)
    assert only(result, "organizationSettingsUpdate")["__typename"].endswith("Success")


def login(world: World, login: str, password: str) -> dict[str, Any]:
    organization = world.organization.slug
    return {"input": {"login": login, "password": password, "organization": organization}}


async def test_a_document_created_without_visibility_takes_the_organization_default(
    gql: GraphQLClient, world: World
) -> None:
    await settle(gql, world, defaultDocumentVisibility="PRIVATE")

    created = await gql(CREATE, {"input": {"title": "Notes"}}, token=world.editor.token)
    explicit = await gql(
        CREATE,
        {"input": {"title": "Shared", "visibility": "ORGANIZATION"}},
        token=world.editor.token,
    )

    document = only(created, "documentCreate")["document"]
    assert document["visibility"] == "PRIVATE"
    assert only(explicit, "documentCreate")["document"]["visibility"] == "ORGANIZATION"
    seen = await gql(NODE, {"id": document["id"]}, token=world.viewer.token)
    assert seen["data"]["node"] is None


async def test_a_document_created_without_visibility_is_shared_by_default(
    gql: GraphQLClient, world: World
) -> None:
    created = await gql(CREATE, {"input": {"title": "Notes"}}, token=world.editor.token)

    assert only(created, "documentCreate")["document"]["visibility"] == "ORGANIZATION"


async def test_a_login_session_lasts_the_organization_session_lifetime(
    gql: GraphQLClient, world: World
) -> None:
    await settle(gql, world, sessionLifetimeSeconds=600)

    result = await gql(LOGIN, login(world, "viewer", PASSWORD))

    expires_at = datetime.fromisoformat(only(result, "login")["expiresAt"])
    assert 590 <= (expires_at - datetime.now(UTC)).total_seconds() <= 600


async def test_the_organization_login_threshold_throttles_sooner(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    """The test server admits 3 attempts per login and address; the organization admits 1."""
    await settle(gql, world, loginMaxFailures=1)

    async with calling_from(app, "10.9.0.1") as caller:
        answers = [
            only(await caller(LOGIN, login(world, "editor", "a wrong guess")), "login")
            for _ in range(2)
        ]

    assert [a["__typename"] for a in answers] == ["InvalidCredentials", "LoginThrottled"]


async def test_the_organization_account_threshold_counts_from_every_address(
    app: Any, gql: GraphQLClient, world: World
) -> None:
    await settle(gql, world, loginAccountMaxFailures=2)

    answers = []
    for address in ("10.9.1.1", "10.9.1.2", "10.9.1.3"):
        async with calling_from(app, address) as caller:
            result = await caller(LOGIN, login(world, "editor", "a wrong guess"))
            answers.append(only(result, "login")["__typename"])

    assert answers == ["InvalidCredentials", "InvalidCredentials", "LoginThrottled"]


async def test_a_role_that_requires_a_second_factor_is_told_to_enrol_at_login(
    gql: GraphQLClient, world: World
) -> None:
    asked = """mutation Login($input: LoginInput!) {
      login(input: $input) { ... on LoginSuccess { twoFactorSetupRequired } }
    }"""
    before = await gql(asked, login(world, world.admin.user.username, PASSWORD))
    await settle(gql, world, twoFactorRoles=["ADMIN"])

    admin = await gql(asked, login(world, world.admin.user.username, PASSWORD))
    viewer = await gql(asked, login(world, world.viewer.user.username, PASSWORD))

    assert before["data"]["login"]["twoFactorSetupRequired"] is False
    assert admin["data"]["login"]["twoFactorSetupRequired"] is True
    assert viewer["data"]["login"]["twoFactorSetupRequired"] is False
