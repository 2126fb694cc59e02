"""Markdown files with YAML-ish front matter: `key: value` lines, inline `[a, b]` lists and
`- item` lists. A small parser of our own: no YAML tags, anchors or code, nothing surprising."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_KEY = re.compile(r"^([A-Za-z_][\w\-]*)[ \t]*:(.*)$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_FENCES = ("---", "...")


class FrontMatterError(ValueError):
    pass


@dataclass(frozen=True)
class Parsed:
    title: str | None
    body: str
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


def parse(text: str) -> Parsed:
    """The front matter's title, tags and other keys (as metadata), and the body after it.
    Without a front-matter title, the first heading is the title."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    values, body = _split(text)
    title = values.pop("title", None)
    tags = values.pop("tags", ())
    if isinstance(tags, str):
        tags = [t for t in (part.strip() for part in tags.split(",")) if t]
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise FrontMatterError("`tags` must be a list of names")
    if title is not None and not isinstance(title, str):
        title = str(title)
    if not title:
        heading = _HEADING.search(body)
        title = heading.group(1).strip() if heading else None
    return Parsed(title=title, body=body, tags=tuple(tags), metadata=values)


def _split(text: str) -> tuple[dict[str, Any], str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in _FENCES:
            return _values(lines[1:end]), "\n".join(lines[end + 1 :]).lstrip("\n")
    raise FrontMatterError("the front matter has no closing `---`")


def _values(lines: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    open_list: str | None = None
    for number, raw in enumerate(lines, start=2):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = line.strip()
        if open_list is not None and item.startswith("- "):
            values[open_list].append(_scalar(item[2:]))
            continue
        match = _KEY.match(line)
        if match is None:
            raise FrontMatterError(f"front matter line {number} is not `key: value`")
        key, value = match.group(1), match.group(2).strip()
        if value == "":
            values[key] = []
            open_list = key
            continue
        open_list = None
        values[key] = _inline(value)
    return values


def _inline(value: str) -> Any:
    if value.startswith("[") and value.endswith("]"):
        return [_scalar(p) for p in value[1:-1].split(",") if p.strip()]
    return _scalar(value)


def _scalar(value: str) -> Any:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value in ("true", "false"):
        return value == "true"
    if _NUMBER.match(value):
        return float(value) if "." in value else int(value)
    return value
