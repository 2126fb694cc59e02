"""An uploaded file as documents to import: a zip of Markdown files (folders become
collections) or JSON Lines (one document per line). Bad entries become problems, with the
path or line that names them; the good ones become entries."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from persistence.transfer import markdown
from persistence.transfer.archive import Member, Problem

MARKDOWN_SUFFIXES = (".md", ".markdown")
MAX_TITLE = 500
MAX_TAG = 100
MAX_COLLECTION_NAME = 200


@dataclass(frozen=True)
class DocumentEntry:
    """One document to write; `identity` names it within its file, stable across imports."""

    where: str
    identity: str
    folder: tuple[str, ...]
    title: str
    content: str
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


def from_markdown(members: list[Member]) -> tuple[list[DocumentEntry], list[Problem]]:
    entries: list[DocumentEntry] = []
    problems: list[Problem] = []
    for member in members:
        if not member.name.lower().endswith(MARKDOWN_SUFFIXES):
            problems.append(Problem(member.name, "not a Markdown file (.md); skipped"))
            continue
        try:
            entries.append(_markdown_entry(member))
        except (UnicodeDecodeError, markdown.FrontMatterError, ValueError) as exc:
            problems.append(Problem(member.name, _worded(exc)))
    return entries, problems


def _markdown_entry(member: Member) -> DocumentEntry:
    parsed = markdown.parse(member.data.decode("utf-8"))
    stem = member.path[-1].rsplit(".", 1)[0]
    folder = member.path[:-1]
    for name in folder:
        if not name.strip():
            raise ValueError("a folder name is blank")
        if len(name) > MAX_COLLECTION_NAME:
            raise ValueError(f"the folder name {name[:40]!r}… is over {MAX_COLLECTION_NAME}")
    return storable(
        DocumentEntry(
            where=member.name,
            identity=f"markdown:{member.name}",
            folder=folder,
            title=_title(parsed.title or stem),
            content=parsed.body,
            tags=tag_names(parsed.tags),
            metadata=parsed.metadata,
        )
    )


def from_json_lines(content: bytes) -> tuple[list[DocumentEntry], list[Problem]]:
    entries: list[DocumentEntry] = []
    problems: list[Problem] = []
    for number, raw in enumerate(content.split(b"\n"), start=1):
        if not raw.strip():
            continue
        where = f"line {number}"
        try:
            entries.append(_json_entry(where, raw))
        except (UnicodeDecodeError, ValueError) as exc:
            problems.append(Problem(where, _worded(exc)))
    return entries, problems


def _json_entry(where: str, raw: bytes) -> DocumentEntry:
    try:
        value = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError:
        raise ValueError("not valid JSON") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    title, content = value.get("title"), value.get("content", "")
    tags, metadata = value.get("tags", []), value.get("metadata", {})
    if not isinstance(title, str) or not title.strip():
        raise ValueError("`title` must be a non-empty string")
    if not isinstance(content, str):
        raise ValueError("`content` must be a string")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError("`tags` must be a list of strings")
    if not isinstance(metadata, dict):
        raise ValueError("`metadata` must be an object")
    key = value.get("id")
    if key is not None and not isinstance(key, str | int):
        raise ValueError("`id` must be a string or a number")
    identity = f"id:{key}" if key is not None else f"sha256:{hashlib.sha256(raw).hexdigest()}"
    return storable(
        DocumentEntry(
            where=where,
            identity=f"jsonl:{identity}",
            folder=(),
            title=_title(title),
            content=content,
            tags=tag_names(tags),
            metadata=metadata,
        )
    )


def storable(entry: DocumentEntry) -> DocumentEntry:
    """PostgreSQL text holds neither NUL nor unpaired surrogates: refused here, per entry,
    rather than failing the whole batch's statement."""
    check_text([entry.title, entry.content, entry.tags, entry.folder, entry.metadata])
    return entry


def check_text(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("the text contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the text contains an unpaired surrogate") from None
    elif isinstance(value, list | tuple):
        for item in value:
            check_text(item)
    elif isinstance(value, dict):
        check_text(list(value.items()))


def _title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValueError("the document has no title")
    if len(title) > MAX_TITLE:
        raise ValueError(f"the title is longer than {MAX_TITLE} characters")
    if "\x00" in title:
        raise ValueError("the title contains a NUL character")
    return title


def tag_names(names: Any) -> tuple[str, ...]:
    """Distinct tag names (case-insensitively, as the database compares them), in order."""
    seen: dict[str, str] = {}
    for name in names:
        name = str(name).strip()
        if not name:
            continue
        if len(name) > MAX_TAG:
            raise ValueError(f"the tag {name[:40]!r}… is longer than {MAX_TAG} characters")
        seen.setdefault(name.lower(), name)
    return tuple(seen.values())


def _worded(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text; skipped"
    return f"{exc}; skipped"


def import_key(target: object, identity: str) -> str:
    """The entry's key in `import_keys`: the same entry into the same target, the same key."""
    return hashlib.sha256(f"{target or 'root'}\x00{identity}".encode()).hexdigest()
