"""Every role against every mutation and sensitive field, in one table.

Roles: anonymous, a viewer, an editor, an admin, and the editor's read-only API key.
A denied call is a GraphQL error with `extensions.code` UNAUTHENTICATED or FORBIDDEN and
no data; an allowed call reaches its resolver (with made-up ids it may well answer
NotFound, which is data, not a denial).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from strawberry.relay import to_base64

from persistence.database import Database
from persistence.scope import Scope
from persistence.user.credentials import ApiKeyRepository
from tests.graph.conftest import GraphQLClient, World

ANON, UNAUTH, FORBID, OK = "anonymous", "UNAUTHENTICATED", "FORBIDDEN", "allowed"
ROLES = ("anonymous", "viewer", "editor", "admin", "read_key")


def _id(type_name: str) -> str:
    return to_base64(type_name, uuid.uuid4())


# Who may call what: a rule per group of mutations (see docs/decisions.md, Permissions).
ANYONE = {r: OK for r in ROLES}
OWN_ACCOUNT = {"anonymous": UNAUTH, "viewer": OK, "editor": OK, "admin": OK, "read_key": FORBID}
CONTENT = {"anonymous": UNAUTH, "viewer": FORBID, "editor": OK, "admin": OK, "read_key": FORBID}
ADMIN = {"anonymous": UNAUTH, "viewer": FORBID, "editor": FORBID, "admin": OK, "read_key": FORBID}

MUTATIONS: list[tuple[str, dict[str, Any] | None, dict[str, str]]] = [
    ("login", {"login": "nobody", "password": "wrong password"}, ANYONE),
    ("logout", None, OWN_ACCOUNT),
    (
        "passwordChange",
        {"currentPassword": "not it at all", "newPassword": "n3w-secret!"},
        OWN_ACCOUNT,
    ),
    ("apiKeyCreate", {"name": "k", "scopes": ["READ"]}, OWN_ACCOUNT),
    ("apiKeyRevoke", {"id": _id("ApiKey")}, OWN_ACCOUNT),
    (
        "userCreate",
        {"username": "newbie", "email": "n@example.com", "password": "long enough"},
        ADMIN,
    ),
    ("userSetRoles", {"id": _id("User"), "roles": ["VIEWER"]}, ADMIN),
    ("userDeactivate", {"id": _id("User"), "expectedVersion": 1}, ADMIN),
    ("userActivate", {"id": _id("User"), "expectedVersion": 1}, ADMIN),
    ("userUnlock", {"id": _id("User")}, ADMIN),
    ("documentCreate", {"title": "Permission probe"}, CONTENT),
    ("documentUpdate", {"id": _id("Document"), "expectedVersion": 1}, CONTENT),
    ("documentDelete", {"id": _id("Document")}, CONTENT),
    ("documentRestore", {"id": _id("Document")}, ADMIN),
    ("documentPurge", {"id": _id("Document")}, ADMIN),
    ("documentTagsAdd", {"id": _id("Document"), "tagNames": ["x"]}, CONTENT),
    ("documentTagsRemove", {"id": _id("Document"), "tagIds": [_id("Tag")]}, CONTENT),
    (
        "annotationCreate",
        {"documentId": _id("Document"), "startOffset": 0, "endOffset": 1, "body": "b"},
        CONTENT,
    ),
    ("annotationDelete", {"id": _id("Annotation")}, CONTENT),
    ("collectionCreate", {"name": "Permission probe"}, CONTENT),
    ("collectionUpdate", {"id": _id("Collection"), "expectedVersion": 1}, CONTENT),
    ("collectionMove", {"id": _id("Collection"), "expectedVersion": 1}, CONTENT),
    ("collectionDelete", {"id": _id("Collection")}, CONTENT),
    ("collectionRestore", {"id": _id("Collection")}, ADMIN),
    ("collectionPurge", {"id": _id("Collection")}, ADMIN),
    ("knowledgeNodeCreate", {"label": "Probe", "nodeType": "concept"}, CONTENT),
    ("knowledgeNodeUpdate", {"id": _id("KnowledgeNode"), "expectedVersion": 1}, CONTENT),
    ("knowledgeNodeDelete", {"id": _id("KnowledgeNode")}, CONTENT),
    ("knowledgeNodeRestore", {"id": _id("KnowledgeNode")}, ADMIN),
    (
        "knowledgeNodeLink",
        {"nodeId": _id("KnowledgeNode"), "documentId": _id("Document")},
        CONTENT,
    ),
    ("knowledgeNodeUnlink", {"nodeId": _id("KnowledgeNode")}, CONTENT),
    (
        "knowledgeEdgeCreate",
        {"sourceId": _id("KnowledgeNode"), "targetId": _id("KnowledgeNode"), "type": "t"},
        CONTENT,
    ),
    ("knowledgeEdgeUpdate", {"id": _id("KnowledgeEdge"), "expectedVersion": 1}, CONTENT),
    ("knowledgeEdgeDelete", {"id": _id("KnowledgeEdge")}, CONTENT),
    ("knowledgeEdgeRestore", {"id": _id("KnowledgeEdge")}, ADMIN),
]

QUERIES: list[tuple[str, str, dict[str, str]]] = [
    ("own email", "{ viewer { email } }", {**ANYONE, "anonymous": OK}),
    (
        "others' emails",
        '{ users(filter: {search: "editor"}) { edges { node { email } } } }',
        {"anonymous": UNAUTH, "viewer": FORBID, "editor": OK, "admin": OK, "read_key": OK},
    ),
    (
        "the audit trail",
        "{ auditEvents { totalCount } }",
        {"anonymous": UNAUTH, "viewer": FORBID, "editor": FORBID, "admin": OK, "read_key": FORBID},
    ),
    (
        "deleted rows",
        "{ documents(includeDeleted: true) { totalCount } }",
        {"anonymous": UNAUTH, "viewer": FORBID, "editor": FORBID, "admin": OK, "read_key": FORBID},
    ),
    (
        "lists",
        "{ documents { totalCount } collections { totalCount } knowledgeNodes { totalCount } }",
        {"anonymous": UNAUTH, "viewer": OK, "editor": OK, "admin": OK, "read_key": OK},
    ),
    (
        "node by id",
        '{ node(id: "VXNlcjow") { id } }',
        {"anonymous": UNAUTH, "viewer": OK, "editor": OK, "admin": OK, "read_key": OK},
    ),
]


@pytest.fixture
async def tokens(world: World, database: Database) -> dict[str, str | None]:
    async with database.transaction() as session:
        keys = ApiKeyRepository(session, Scope.system(world.organization.id))
        read_key, _ = await keys.issue(world.editor.user.id, name="read only", scopes=["read"])
    return {
        "anonymous": None,
        "viewer": world.viewer.token,
        "editor": world.editor.token,
        "admin": world.admin.token,
        "read_key": read_key,
    }


def _outcome(result: dict[str, Any]) -> str:
    codes = {e.get("extensions", {}).get("code") for e in result.get("errors", [])}
    for code in (UNAUTH, FORBID):
        if code in codes:
            return code
    assert "errors" not in result, result["errors"]
    return OK


@pytest.mark.parametrize(("mutation", "input", "rule"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
async def test_each_role_against_each_mutation(
    gql: GraphQLClient,
    tokens: dict[str, str | None],
    mutation: str,
    input: dict[str, Any] | None,
    rule: dict[str, str],
) -> None:
    arguments = "(input: $input)" if input is not None else ""
    declaration = f"($input: {mutation[0].upper()}{mutation[1:]}Input!)" if input else ""
    operation = f"mutation {declaration} {{ {mutation}{arguments} {{ __typename }} }}"

    outcomes = {}
    for role in ROLES:
        result = await gql(operation, {"input": input} if input else None, token=tokens[role])
        outcomes[role] = _outcome(result)

    assert outcomes == rule


@pytest.mark.parametrize(("name", "query", "rule"), QUERIES, ids=[q[0] for q in QUERIES])
async def test_each_role_against_each_sensitive_field(
    gql: GraphQLClient, tokens: dict[str, str | None], name: str, query: str, rule: dict[str, str]
) -> None:
    outcomes = {role: _outcome(await gql(query, token=tokens[role])) for role in ROLES}

    assert outcomes == rule
