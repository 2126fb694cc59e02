"""The four operations of the load benchmark, as a frontend sends them, and their SQL limits.

Each operation pairs a GraphQL document (with the variables it rotates through) with ONE
hand-written SQL statement in `bench/load/sql/` that returns the same response body as JSON
text: the same rows, the same keys in the same order. That statement under `pgbench -M
prepared` is the machine's limit for the response; the server's rate over it is the ratio.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SQL_DIR = Path(__file__).resolve().parent / "sql"
# A statement's named parameter (`:org`), not a cast (`::text`).
PARAMETER = re.compile(r"(?<![:\w]):(\w+)")
COMMENT = re.compile(r"--[^\n]*")

Check = Callable[[dict[str, Any]], str | None]


@dataclass(frozen=True)
class Operation:
    name: str
    title: str
    query: str
    inputs: tuple[dict[str, Any], ...]
    sql_file: str
    check: Check

    @property
    def sql(self) -> str:
        return (SQL_DIR / self.sql_file).read_text()

    def body(self, variables: dict[str, Any]) -> dict[str, Any]:
        name = self.query.split()[1].split("(")[0]
        return {"query": self.query, "operationName": name, "variables": variables}


NEWEST_DOCUMENTS = """
query NewestDocuments {
  documents(first: 50, orderBy: {field: CREATED_AT, direction: DESC}) {
    edges {
      node {
        id
        title
        owner { username fullName }
        collection { name }
        tags { name }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
""".strip()

COLLECTIONS = """
query CollectionsByName {
  collections(first: 20, orderBy: {field: NAME, direction: ASC}) {
    edges {
      node {
        id
        name
        children { edges { node { name } } }
        documents(first: 10) { edges { node { title } } }
      }
    }
  }
}
""".strip()

SEARCH = """
query SearchDocuments($query: String!) {
  searchDocuments(query: $query, first: 20) {
    totalCount
    edges { node { rank document { id title owner { username } } } }
  }
}
""".strip()

# From the seed's word banks: none of these occur in `khub seed --scale` data ...
NO_HITS = ("kafka latency", "kubernetes -terraform", "quantum entanglement", "sourdough starter")
# ... and each of these matches 100-160 of 10,000 documents (a page of 20 and more).
HITS = (
    "stampede",
    "vacuum tuning",
    "idempotency keys",
    "webhook delivery",
    "autoscaling",
    '"design tokens"',
)


def _page_of(size: int, path: str) -> Check:
    def check(data: dict[str, Any]) -> str | None:
        edges = data[path]["edges"]
        return None if len(edges) == size else f"expected {size} rows, got {len(edges)}"

    return check


def _hits(expected: Callable[[int], bool], wanted: str) -> Check:
    def check(data: dict[str, Any]) -> str | None:
        found = data["searchDocuments"]
        ok = expected(len(found["edges"])) and (found["totalCount"] == 0) == (wanted == "none")
        return None if ok else f"expected {wanted}, got totalCount {found['totalCount']}"

    return check


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        name="documents",
        title="50 newest documents with owner {username fullName}, collection {name}, "
        "tags {name}, pageInfo",
        query=NEWEST_DOCUMENTS,
        inputs=({},),
        sql_file="documents.sql",
        check=_page_of(50, "documents"),
    ),
    Operation(
        name="collections",
        title="20 collections by name, each with children names and its first 10 documents' titles",
        query=COLLECTIONS,
        inputs=({},),
        sql_file="collections.sql",
        check=_page_of(20, "collections"),
    ),
    Operation(
        name="search-none",
        title="searchDocuments, 0 hits",
        query=SEARCH,
        inputs=tuple({"query": q} for q in NO_HITS),
        sql_file="search.sql",
        check=_hits(lambda n: n == 0, "none"),
    ),
    Operation(
        name="search-hits",
        title="searchDocuments, 20 hits with owner {username}",
        query=SEARCH,
        inputs=tuple({"query": q} for q in HITS),
        sql_file="search.sql",
        check=_hits(lambda n: n == 20, "20 hits"),
    ),
)

BY_NAME = {op.name: op for op in OPERATIONS}


def sql_parameters(
    operation: Operation, variables: dict[str, Any], *, organization: str, viewer: str
) -> dict[str, str]:
    """The statement's parameters: the caller's organization and id (for PRIVATE rows), and
    the operation's variables under their own names."""
    return {"org": organization, "viewer": viewer, **{k: str(v) for k, v in variables.items()}}


def positional(sql: str) -> tuple[str, tuple[str, ...]]:
    """The statement with its `:name` parameters as asyncpg's `$n`, comments dropped first (a
    colon in one is no parameter); and the names in `$n` order, to bind the values by."""
    names: list[str] = []

    def number(match: re.Match[str]) -> str:
        if match[1] not in names:
            names.append(match[1])
        return f"${names.index(match[1]) + 1}"

    return PARAMETER.sub(number, COMMENT.sub("", sql)), tuple(names)
