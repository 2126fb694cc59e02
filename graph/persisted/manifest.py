"""Reading the document manifests clients' build tools emit, for `khub documents push`.

Two formats: GraphQL Code Generator's client preset (`persisted-documents.json`, an object
mapping each document's hash to its text) and Apollo's operation manifest
(`{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id",
"name", "type", "body"}]}`).
"""

from __future__ import annotations

import json
import re
from typing import Any

APOLLO_FORMAT = "apollo-persisted-query-manifest"
DOCUMENT_ID = re.compile(r"^[A-Za-z0-9_.:~-]{1,200}$")
"""What an id may look like: a hash in hex or base64url, or a build tool's own key."""


class ManifestError(ValueError):
    """A manifest that cannot be read; the message says where."""


def read_manifest(text: str) -> dict[str, str]:
    """id → document text, from either format."""
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"the manifest is not JSON: {exc}") from None
    if isinstance(data, dict) and data.get("format") == APOLLO_FORMAT:
        return _apollo(data)
    if isinstance(data, dict) and "format" not in data:
        return _checked(data.items())
    raise ManifestError(
        "not a manifest: expected an object mapping ids to documents "
        f"(persisted-documents.json) or an {APOLLO_FORMAT}"
    )


def _apollo(data: dict[str, Any]) -> dict[str, str]:
    if data.get("version") != 1:
        raise ManifestError(f"{APOLLO_FORMAT} version {data.get('version')!r} is not supported")
    operations = data.get("operations")
    if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
        raise ManifestError(f"{APOLLO_FORMAT}: `operations` must be a list of objects")
    return _checked((o.get("id"), o.get("body")) for o in operations)


def _checked(pairs: Any) -> dict[str, str]:
    documents: dict[str, str] = {}
    for document_id, body in pairs:
        if not isinstance(document_id, str) or not DOCUMENT_ID.match(document_id):
            raise ManifestError(f"{document_id!r} is not a document id")
        if not isinstance(body, str) or not body.strip():
            raise ManifestError(f"document {document_id!r} has no text")
        if documents.get(document_id, body) != body:
            raise ManifestError(f"id {document_id!r} names two different documents")
        documents[document_id] = body
    if not documents:
        raise ManifestError("the manifest holds no documents")
    return documents
