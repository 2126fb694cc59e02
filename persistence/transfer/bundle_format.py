"""The export archive's layout, shared by the writer (export) and the reader (import):
`manifest.json` and one JSON Lines file per kind of row, in an order where every reference
points to a row of an earlier file (or earlier in the same one)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

FORMAT = "knowledge-hub-export"
VERSION = 1
MANIFEST = "manifest.json"
KINDS = ("collections", "tags", "documents", "annotations", "knowledge_nodes", "knowledge_edges")


def file_name(kind: str) -> str:
    return f"{kind}.jsonl"


def pack(rows: dict[str, list[dict[str, Any]]], manifest: dict[str, Any]) -> bytes:
    """The archive's bytes: deflated, one line per row, keys sorted (a stable diff)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
        for kind in KINDS:
            lines = (json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows[kind])
            archive.writestr(file_name(kind), "".join(f"{line}\n" for line in lines))
    return buffer.getvalue()
