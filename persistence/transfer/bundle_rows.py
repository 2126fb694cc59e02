"""The rows of an export archive, checked one line at a time before anything is written:
a line the database would refuse is reported instead of failing its whole batch."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from persistence.collection.models import Visibility
from persistence.document.models import DocumentStatus
from persistence.knowledge.models import EMBEDDING_DIMENSIONS
from persistence.transfer import bundle_format
from persistence.transfer.archive import Member, Problem
from persistence.transfer.entries import check_text

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Row:
    where: str
    values: dict[str, Any]

    @property
    def id(self) -> str:
        return self.values["id"]


def parse(members: list[Member]) -> tuple[dict[str, list[Row]], list[Problem]]:
    """Each kind's valid rows, and a problem per line that is not one."""
    files = {member.name: member.data for member in members}
    rows: dict[str, list[Row]] = {kind: [] for kind in bundle_format.KINDS}
    problems: list[Problem] = []
    for kind in bundle_format.KINDS:
        name = bundle_format.file_name(kind)
        for number, raw in enumerate(files.get(name, b"").split(b"\n"), start=1):
            if not raw.strip():
                continue
            where = f"{name} line {number}"
            try:
                rows[kind].append(Row(where, CHECKS[kind](_object(raw))))
            except (ValueError, TypeError, UnicodeDecodeError) as exc:
                message = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
                problems.append(Problem(where, f"{message}; skipped"))
    return rows, problems


def _object(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError:
        raise ValueError("not valid JSON") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    check_text(value)
    return value


def _text(row: dict[str, Any], key: str, limit: int | None = None, *, blank: bool = False) -> str:
    value = row.get(key, "" if blank else None)
    if not isinstance(value, str) or (not blank and not value.strip()):
        raise ValueError(f"`{key}` must be a {'' if blank else 'non-empty '}string")
    if limit is not None and len(value) > limit:
        raise ValueError(f"`{key}` is longer than {limit} characters")
    return value


def _optional(row: dict[str, Any], key: str, limit: int = 100) -> str | None:
    return None if row.get(key) is None else _text(row, key, limit)


def _choice(row: dict[str, Any], key: str, choices: type, default: str) -> str:
    value = row.get(key, default)
    if value not in {c.value for c in choices}:  # type: ignore[attr-defined]
        raise ValueError(f"`{key}` must be one of {', '.join(c.value for c in choices)}")  # type: ignore[attr-defined]
    return str(value)


def _object_field(row: dict[str, Any], key: str) -> dict[str, Any]:
    value = row.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"`{key}` must be an object")
    return value


def _int(row: dict[str, Any], key: str) -> int:
    value = row.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**31:
        raise ValueError(f"`{key}` must be a non-negative integer")
    return value


def _collection(row: dict[str, Any]) -> dict[str, Any]:
    color = _optional(row, "color", 7)
    if color is not None and not _COLOR.match(color):
        raise ValueError("`color` must be #rrggbb")
    return {
        "id": _text(row, "id", 100),
        "parent_id": _optional(row, "parent_id"),
        "name": _text(row, "name", 200),
        "description": _text(row, "description", blank=True),
        "color": color,
        "icon": _optional(row, "icon", 64),
        "visibility": _choice(row, "visibility", Visibility, "ORGANIZATION"),
    }


def _tag(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": _text(row, "id", 100), "name": _text(row, "name", 100).strip()}


def _document(row: dict[str, Any]) -> dict[str, Any]:
    tags = row.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise ValueError("`tags` must be a list of names")
    if any(len(t) > 100 for t in tags):
        raise ValueError("a tag is longer than 100 characters")
    return {
        "id": _text(row, "id", 100),
        "collection_id": _optional(row, "collection_id"),
        "title": _text(row, "title", 500),
        "content": _text(row, "content", blank=True),
        "content_type": _text(row, "content_type", 100) if "content_type" in row else None,
        "status": _choice(row, "status", DocumentStatus, "DRAFT"),
        "visibility": _choice(row, "visibility", Visibility, "ORGANIZATION"),
        "metadata": _object_field(row, "metadata"),
        "tags": [t.strip() for t in tags],
    }


def _annotation(row: dict[str, Any]) -> dict[str, Any]:
    start, end = _int(row, "start_offset"), _int(row, "end_offset")
    if start > end:
        raise ValueError("`start_offset` is after `end_offset`")
    return {
        "id": _text(row, "id", 100),
        "document_id": _text(row, "document_id", 100),
        "start_offset": start,
        "end_offset": end,
        "quote": _text(row, "quote", blank=True),
        "body": _text(row, "body", blank=True),
    }


def _node(row: dict[str, Any]) -> dict[str, Any]:
    embedding = row.get("embedding")
    if embedding is not None and not (
        isinstance(embedding, list)
        and len(embedding) == EMBEDDING_DIMENSIONS
        and all(_finite(v) for v in embedding)
    ):
        raise ValueError(f"`embedding` must be null or {EMBEDDING_DIMENSIONS} numbers")
    return {
        "id": _text(row, "id", 100),
        "label": _text(row, "label", 300),
        "node_type": _text(row, "node_type", 64),
        "properties": _object_field(row, "properties"),
        "source_document_id": _optional(row, "source_document_id"),
        "embedding": embedding,
    }


def _edge(row: dict[str, Any]) -> dict[str, Any]:
    weight = row.get("weight", 1.0)
    if not _finite(weight) or not 0 <= weight <= 1:
        raise ValueError("`weight` must be a number from 0 to 1")
    values = {
        "id": _text(row, "id", 100),
        "source_id": _text(row, "source_id", 100),
        "target_id": _text(row, "target_id", 100),
        "edge_type": _text(row, "edge_type", 64),
        "weight": float(weight),
        "properties": _object_field(row, "properties"),
    }
    if values["source_id"] == values["target_id"]:
        raise ValueError("an edge cannot join a node to itself")
    return values


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


CHECKS = {
    "collections": _collection,
    "tags": _tag,
    "documents": _document,
    "annotations": _annotation,
    "knowledge_nodes": _node,
    "knowledge_edges": _edge,
}
