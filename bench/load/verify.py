"""Before any load: a server's response to each input is exactly the hand-written
statement's JSON, else its rate over the statement's would compare different work."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.load import data
from bench.load.operations import Operation, sql_parameters
from persistence.database import Database

Post = Callable[[dict[str, Any]], tuple[int, bytes]]


class BenchmarkFailed(Exception):
    """A response was wrong (an error, another shape, or not what the SQL returns)."""


async def verify(
    post: Post,
    db: Database,
    target: data.Target,
    operation: Operation,
    work: Path,
    *,
    who: str = "",
) -> None:
    """One request per input: no errors, the expected size, and exactly the JSON that the
    hand-written statement returns; otherwise the comparison would be meaningless. `who`
    names a server other than khub's in the messages and files."""
    for index, variables in enumerate(operation.inputs):
        status, raw = post(operation.body(variables))
        where = f"{who + ': ' if who else ''}{operation.name} {variables or ''}".strip()
        payload = _json(raw)
        if status != 200 or payload.get("errors") or not payload.get("data"):
            raise BenchmarkFailed(f"{where}: HTTP {status}: {raw[:500]!r}")
        wrong = operation.check(payload["data"])
        if wrong:
            raise BenchmarkFailed(f"{where}: {wrong}")
        parameters = sql_parameters(
            operation,
            variables,
            organization=str(target.organization_id),
            viewer=str(target.viewer_id),
        )
        sql = await data.sql_response(db, target.organization_id, operation.sql, parameters)
        if data.ordered_data(raw) != data.ordered_data(sql):
            stem = work / "-".join(filter(None, (who, operation.name, str(index))))
            _keep_for_inspection(stem, raw, sql)
            raise BenchmarkFailed(
                f"{where}: the SQL statement's JSON differs from the {who or 'server'}'s response "
                f"(both written to {stem}.*.json)"
            )


def _keep_for_inspection(stem: Path, server: bytes, sql: str) -> None:
    stem.parent.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".server.json").write_bytes(server)
    stem.with_suffix(".sql.json").write_text(sql)


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
