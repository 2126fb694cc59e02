"""Resource test helpers: resources, documents and nodes made through the API."""

from __future__ import annotations

from typing import Any

from tests.graph.conftest import GraphQLClient
from tests.graph.fixtures import only

CREATE = """
mutation CreateResource($input: ResourceCreateInput!) {
  resourceCreate(input: $input) {
    __typename
    ... on ResourceCreateSuccess {
      resource { id url kind title qualityScore usageCount version owner { username } }
    }
    ... on ValidationError { field message }
  }
}
"""

LINK = """
mutation LinkResource($input: ResourceLinksInput!) {
  resourceLink(input: $input) {
    __typename
    ... on ResourceLinksSuccess {
      resource { documents { title } knowledgeNodes { label } }
    }
    ... on Error { message }
    ... on ValidationError { field }
    ... on NotFound { id }
  }
}
"""

DOCUMENT = """
mutation CreateDocument($input: DocumentCreateInput!) {
  documentCreate(input: $input) { ... on DocumentCreateSuccess { document { id } } }
}
"""

NODE = """
mutation CreateNode($input: KnowledgeNodeCreateInput!) {
  knowledgeNodeCreate(input: $input) { ... on KnowledgeNodeCreateSuccess { node { id } } }
}
"""


async def create_resource(gql: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    values = {"url": "https://example.com/a", "kind": "WEB_PAGE", "title": "A page", **input}
    payload = only(await gql(CREATE, {"input": values}, token=token), "resourceCreate")
    assert payload["__typename"] == "ResourceCreateSuccess", payload
    return payload["resource"]


async def create_document(gql: GraphQLClient, token: str, title: str, **input: Any) -> str:
    result = await gql(DOCUMENT, {"input": {"title": title, **input}}, token=token)
    return only(result, "documentCreate")["document"]["id"]


async def create_node(gql: GraphQLClient, token: str, label: str) -> str:
    result = await gql(NODE, {"input": {"label": label, "nodeType": "concept"}}, token=token)
    return only(result, "knowledgeNodeCreate")["node"]["id"]


async def link(gql: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    return only(await gql(LINK, {"input": input}, token=token), "resourceLink")
