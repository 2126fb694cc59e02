"""The load benchmark's table, its snippet for docs/performance.md, and its files in
bench/results/ (git-ignored)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.load.pgbench import Limit
from bench.load.wrk import Load
from bench.report import RESULTS

HEADER = (
    "| operation | workers | rps | p50 ms | p99 ms | CPU ms/request | PostgreSQL CPU ms/request "
    "| SQL limit tps | SQL limit PostgreSQL CPU ms/tx | ratio | failed |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


@dataclass(frozen=True)
class ServerRun:
    operation: str
    title: str
    workers: int
    load: Load
    cpu_seconds: float
    database_cpu_seconds: float | None = None  # PostgreSQL's, when the harness runs it

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds * 1000 / self.load.requests if self.load.requests else 0.0


def per_request(seconds: float | None, requests: int) -> str:
    """CPU milliseconds per request, or a dash where it was not measured."""
    return f"{seconds * 1000 / requests:.2f}" if seconds is not None and requests else "—"


def ratio(run: ServerRun, limit: Limit | None) -> str:
    """The run's rate over the SQL limit's, or a dash where there is none."""
    return f"{run.load.rps / limit.tps:.2f}" if limit and limit.tps else "—"


def stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def work_dir(run_stamp: str) -> Path:
    """Scripts and server logs of one run."""
    return RESULTS / f"load-{run_stamp}"


def table(runs: list[ServerRun], limits: dict[str, Limit]) -> str:
    lines = [HEADER]
    for run in runs:
        limit = limits.get(run.operation)
        tps = f"{limit.tps:,.0f}" if limit else "—"
        limit_cpu = per_request(limit.database_cpu_seconds, limit.transactions) if limit else "—"
        if not run.load.requests:  # nothing completed in the window: nothing to divide by
            lines.append(
                f"| {run.title} | {run.workers} | 0 | — | — | — | — | {tps} | {limit_cpu} | — | 0 |"
            )
            continue
        lines.append(
            f"| {run.title} | {run.workers} | {run.load.rps:,.0f} | {run.load.p50_ms:.1f} "
            f"| {run.load.p99_ms:.1f} | {run.cpu_ms_per_request:.1f} "
            f"| {per_request(run.database_cpu_seconds, run.load.requests)} | {tps} | {limit_cpu} "
            f"| {ratio(run, limit)} "
            f"| {run.load.failed} |"
        )
    return "\n".join(lines)


def limits_table(limits: dict[str, Limit], titles: dict[str, str]) -> str:
    lines = [
        "| operation | SQL limit tps | latency avg ms | failed |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, limit in limits.items():
        lines.append(
            f"| {titles[name]} | {limit.tps:,.0f} | {limit.latency_ms:.2f} | {limit.failed} |"
        )
    return "\n".join(lines)


def paced_table(runs: list[ServerRun], paced: dict[str, Limit], titles: dict[str, str]) -> str:
    """PostgreSQL's CPU per request from the server beside its CPU per transaction when
    pgbench sends the hand-written statement at the server's best rate: what the database
    spends on the server's requests beyond the statement's own cost at that pace (a
    database kept waiting between statements costs more per statement than one kept busy)."""
    lines = [
        "| operation | workers | server rps | PostgreSQL CPU ms/request | pgbench at that rate:"
        " tps | PostgreSQL CPU ms/tx |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, limit in paced.items():
        best = max((r for r in runs if r.operation == name), key=lambda r: r.load.rps)
        lines.append(
            f"| {titles[name]} | {best.workers} | {best.load.rps:,.0f} | "
            f"{per_request(best.database_cpu_seconds, best.load.requests)} | "
            f"{limit.tps:,.0f} | {per_request(limit.database_cpu_seconds, limit.transactions)} |"
        )
    return "\n".join(lines)


def probe_table(
    probes: dict[str, ServerRun], limits: dict[str, Limit], titles: dict[str, str]
) -> str:
    """The ceiling: what the probe (Starlette, uvloop/httptools, asyncpg, the statement's JSON
    as it comes, no authentication) served of each operation, over the same SQL limit: how
    far khub's ratio is from the best a Python server reaches on the machine."""
    lines = [
        "| operation | probe rps | probe ratio | probe CPU ms/request "
        "| PostgreSQL CPU ms/request |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, run in probes.items():
        requests = run.load.requests
        lines.append(
            f"| {titles[name]} | {run.load.rps:,.0f} | {ratio(run, limits.get(name))} | "
            f"{per_request(run.cpu_seconds, requests)} | "
            f"{per_request(run.database_cpu_seconds, requests)} |"
        )
    return "\n".join(lines)


def snippet(
    runs: list[ServerRun],
    limits: dict[str, Limit],
    *,
    machine: dict[str, Any],
    counts: dict[str, int],
    settings: dict[str, Any],
) -> str:
    """The results as a block for docs/performance.md."""
    data = ", ".join(f"{v:,} {k}" for k, v in counts.items())
    return "\n".join(
        [
            f"Run of {machine['date'][:10]} on {machine['cores']} cores ({machine['cpu']}), "
            f"PostgreSQL {machine['postgresql']}, load average before "
            f"{', '.join(str(x) for x in machine['load_average'])}; data: {data}. "
            f"wrk: {settings['connections']} connections, {settings['duration']} s after a "
            f"{settings['warmup']} s warm-up; pgbench -M prepared -c {settings['connections']} "
            f"-j 2 -T {settings['duration']}.",
            "",
            table(runs, limits),
        ]
    )


def write(run_stamp: str, markdown: str, result: dict[str, Any]) -> tuple[Path, Path]:
    RESULTS.mkdir(exist_ok=True)
    md = RESULTS / f"load-{run_stamp}.md"
    md.write_text(markdown + "\n")
    js = RESULTS / f"load-{run_stamp}.json"
    js.write_text(json.dumps(result, indent=2, default=str) + "\n")
    (RESULTS / "load-latest.md").write_text(md.read_text())
    (RESULTS / "load-latest.json").write_text(js.read_text())
    return md, js


def as_json(
    runs: list[ServerRun], limits: dict[str, Limit], probes: dict[str, ServerRun] | None = None
) -> dict[str, Any]:
    return {
        "server": [_run_json(run) for run in runs],
        "sql_limit": {name: asdict(limit) for name, limit in limits.items()},
        "probe": {
            name: {**_run_json(run), "ratio": _ratio_value(run, limits.get(name))}
            for name, run in (probes or {}).items()
        },
    }


def _run_json(run: ServerRun) -> dict[str, Any]:
    return {**asdict(run), "rps": run.load.rps, "cpu_ms_per_request": run.cpu_ms_per_request}


def _ratio_value(run: ServerRun, limit: Limit | None) -> float | None:
    return run.load.rps / limit.tps if limit and limit.tps else None
