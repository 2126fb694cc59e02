"""The collection tree of seed data: the topics' folders, parents inserted before children."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from persistence.ids import new_id
from persistence.seed.banks import TOPICS

Path = tuple[str, ...]

ROOT_STYLE = {
    "Engineering": ("#2563eb", "code"),
    "Operations": ("#dc2626", "siren"),
    "Product": ("#16a34a", "compass"),
    "People": ("#9333ea", "users"),
}


def topic_paths() -> list[Path]:
    """Every folder the topics need, each parent before its children."""
    paths = {topic.collection[:depth] for topic in TOPICS for depth in range(1, 4)}
    return sorted((p for p in paths if p), key=lambda p: (len(p), p))


def collection_rows(
    owners: Sequence[uuid.UUID],
    *,
    parent_id: uuid.UUID | None = None,
    extra: Sequence[Path] = (),
) -> tuple[list[dict[str, Any]], dict[Path, uuid.UUID]]:
    """Rows for `create_many` (ids chosen here, so one statement holds the whole tree).

    Roots are owned by the first owner, deeper folders by the others in turn. `extra` paths
    are added below the topic folders; `parent_id` hangs the whole tree under a folder.
    """
    ids: dict[Path, uuid.UUID] = {}
    rows: list[dict[str, Any]] = []
    for i, path in enumerate([*topic_paths(), *extra]):
        ids[path] = new_id()
        color, icon = ROOT_STYLE.get(path[0], (None, None)) if len(path) == 1 else (None, None)
        rows.append(
            {
                "id": ids[path],
                "parent_id": ids[path[:-1]] if len(path) > 1 else parent_id,
                "owner_id": owners[0] if len(path) == 1 else owners[i % len(owners)],
                "name": path[-1],
                "description": f"{' / '.join(path)}: notes, decisions and how-tos.",
                "color": color,
                "icon": icon,
            }
        )
    return rows, ids
