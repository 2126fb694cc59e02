"""The machine's description, the results table, and the JSON written to bench/results/."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import text

from persistence.database import Database

RESULTS = Path(__file__).resolve().parent / "results"
PACKAGES = ("strawberry-graphql", "sqlalchemy", "asyncpg", "starlette", "httpx", "pgvector")


def _proc(path: str, key: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        return None
    return None


async def describe_machine(db: Database) -> dict[str, Any]:
    async with db.engine.connect() as connection:
        server = await connection.scalar(text("SHOW server_version"))
        pgvector = await connection.scalar(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        )
        settings = {
            name: await connection.scalar(text(f"SHOW {name}"))
            for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit")
        }
    memory_kb = _proc("/proc/meminfo", "MemTotal")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _proc("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ram_gib": round(int(memory_kb.split()[0]) / 2**20, 1) if memory_kb else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": server,
        "pgvector": pgvector,
        "postgresql_settings": settings,
        "database": "DATABASE_URL" if db.settings.database_url else "embedded (unix socket)",
        "packages": {name: _version(name) for name in PACKAGES},
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def write_json(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    (RESULTS / "latest.json").write_text(path.read_text())
    return path


def _sizes(summary: dict[str, Any]) -> str:
    parts = []
    for key, s in summary["sizes"].items():
        if s["min"] == s["max"]:
            parts.append(f"{key} {s['min']:,}")
        else:
            parts.append(f"{key} {s['min']:,}-{s['max']:,} (median {s['median']:,})")
    return "; ".join(parts)


def _statements(summary: dict[str, Any]) -> str:
    counts, auth = summary["statements"], summary["authentication_statements"]
    total = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    return f"{total} ({auth[-1]} auth)" if auth and auth[-1] else total


TARGET_MS = 50.0


def _target(summary: dict[str, Any]) -> str:
    """Whether a benchmark the issue sets a target for (p95 < 50 ms) meets it."""
    if "required" not in summary.get("tags", ()):
        return ""
    return "met" if summary["ms"]["p95"] < TARGET_MS else "**missed**"


def markdown_table(summaries: list[dict[str, Any]]) -> str:
    lines = [
        "| benchmark | p50 ms | p95 ms | p99 ms | max ms | SQL p50 ms | statements | result "
        "| p95 < 50 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for s in summaries:
        ms, sql = s["ms"], s["sql_ms"]
        lines.append(
            f"| {s['title']} | {ms['p50']:.1f} | {ms['p95']:.1f} | {ms['p99']:.1f} "
            f"| {ms['max']:.1f} | {sql['p50']:.1f} | {_statements(s)} | {_sizes(s)} "
            f"| {_target(s)} |"
        )
    return "\n".join(lines)


def per_input_table(summary: dict[str, Any]) -> str:
    lines = [
        f"{summary['title']}, by input:",
        "",
        "| input | p50 ms | max ms | result |",
        "| --- | ---: | ---: | --- |",
    ]
    for label, s in summary["per_input"].items():
        sizes = ", ".join(f"{k} {v:,}" for k, v in s["sizes"].items())
        lines.append(f"| `{label}` | {s['p50_ms']:.1f} | {s['max_ms']:.1f} | {sizes} |")
    return "\n".join(lines)


def machine_line(machine: dict[str, Any]) -> str:
    return (
        f"{machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} GiB RAM; "
        f"PostgreSQL {machine['postgresql']} (pgvector {machine['pgvector']}, "
        f"{machine['database']}); Python {machine['python']}; {machine['date']}"
    )
