"""`khub documents push FILE` and `khub documents list`: the trusted documents' registry.

A push validates every document of the manifest against the schema first and stores all of
them or none; pushing the same manifest again changes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from graphql import OperationDefinitionNode, parse
from sqlalchemy.ext.asyncio import AsyncSession

from graph.persisted.manifest import ManifestError, read_manifest
from graph.schema import build_schema
from persistence.persisted.repository import listing, push

LIST_COLUMNS = ("id", "kind", "operations", "created")


class InvalidDocuments(ValueError):
    """Documents of a manifest that this schema refuses; nothing was pushed."""


def configure_documents(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    pushing = actions.add_parser(
        "push",
        help="trust the documents of a client's manifest (persisted-documents.json, or an "
        "Apollo operation manifest)",
    )
    pushing.add_argument("file", type=Path, metavar="FILE")
    actions.add_parser("list", help="list the persisted documents, trusted ones first")


def read_documents(path: Path) -> dict[str, str]:
    """The manifest's documents, each valid against the schema."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read {path}: {exc}") from None
    documents = read_manifest(text)
    schema = build_schema()
    refused = []
    for document_id, body in documents.items():
        checked = schema.documents.get(schema._schema, body)
        if checked.document is None:
            refused.append(f"{document_id}: does not parse")
        elif checked.errors:
            refused.append(f"{document_id}: {checked.errors[0].message}")
    if refused:
        raise InvalidDocuments(
            f"{len(refused)} document(s) of {path} are not valid against this schema, "
            "nothing was pushed:\n  " + "\n  ".join(refused[:20])
        )
    return documents


async def push_documents(session: AsyncSession, path: Path) -> str:
    documents = read_documents(path)
    pushed = await push(session, documents=documents)
    return (
        f"{len(documents)} document(s) in {path}: {len(pushed.added)} added, "
        f"{len(pushed.promoted)} already registered by clients and now trusted, "
        f"{len(pushed.present)} already trusted"
    )


async def list_documents(session: AsyncSession) -> list[Sequence[str]]:
    rows: list[Sequence[str]] = [LIST_COLUMNS]
    for document in await listing(session):
        rows.append(
            (
                document.document_id,
                document.kind,
                ", ".join(_operation_names(document.body)),
                document.created_at.isoformat(timespec="seconds"),
            )
        )
    return rows


def _operation_names(body: str) -> list[str]:
    try:
        definitions = parse(body).definitions
    except Exception:  # stored before a schema change: listed all the same
        return ["?"]
    return [
        d.name.value if d.name else "(anonymous)"
        for d in definitions
        if isinstance(d, OperationDefinitionNode)
    ]
