"""Benchmark the GraphQL API on `khub seed --scale` data, through the full stack.

    .venv/bin/python -m bench.run [--data-dir DIR] [--iterations N] [--only NAME ...]

Uses its own embedded PostgreSQL (default /tmp/khub-bench/pgdata, or KHUB_DATA_DIR, or
DATABASE_URL), migrates and seeds it with `khub seed --scale 100000` when the `scale`
organization is missing, then times each operation one client at a time over httpx's ASGI
transport and prints a markdown table; results go to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

if not __package__:  # run as `python bench/run.py`: import from the repository, not bench/
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import dataset, report
from bench.cases import Case, build_cases
from bench.client import Client, GraphQLError, StatementRecorder
from bench.explain import explain_heaviest
from bench.measure import run_case
from bench.profiling import Profiler
from graph.app import create_app
from graph.settings import ServerSettings
from persistence import embedded
from persistence.database import Database


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir",
        help="embedded data directory (default: KHUB_DATA_DIR, "
        f"else {dataset.DEFAULT_DATA_DIR}); ignored with DATABASE_URL",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=100_000,
        help="documents to seed when `scale` is missing (default 100000)",
    )
    parser.add_argument("--iterations", type=int, default=200, help="measured operations per case")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured operations per case")
    parser.add_argument("--inputs", type=int, default=50, help="distinct inputs per case")
    parser.add_argument("--seed", type=int, default=20240601, help="random seed for the inputs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these cases")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE each case's heaviest statement"
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="profile this case's measured loop (pyinstrument if importable, else cProfile)",
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once the app is built, as a server could at start-up",
    )
    parser.add_argument(
        "--keep-running", action="store_true", help="leave the embedded server running afterwards"
    )
    return parser.parse_args(argv)


async def main(args: argparse.Namespace) -> int:
    base = ServerSettings.from_env()
    data_dir = dataset.data_dir_from(args.data_dir)
    settings = replace(base, database=replace(base.database, data_dir=data_dir))
    where = "DATABASE_URL" if settings.database.database_url else f"embedded in {data_dir}"
    print(f"database: {where}")
    db = await Database.open(settings.database)
    try:
        return await benchmark(args, settings, db, data_dir)
    finally:
        await db.close()
        if not settings.database.database_url and not args.keep_running:
            stopped = embedded.stop_server(data_dir)
            print(f"stopped the embedded server in {data_dir}" if stopped else "")


async def benchmark(
    args: argparse.Namespace, settings: ServerSettings, db: Database, data_dir: Path
) -> int:
    org_id = await dataset.ensure_seeded(db, data_dir=data_dir, scale=args.scale)
    inputs = await dataset.draw_inputs(db, org_id, seed=args.seed, per_case=args.inputs)
    print("data: " + ", ".join(f"{v:,} {k}" for k, v in inputs.counts.items()))
    machine = await report.describe_machine(db)
    print(f"machine: {report.machine_line(machine)}")
    if machine["load_average"][0] > 0.5:
        print(f"warning: load average {machine['load_average']}: figures will be noisy")
    login = await dataset.open_session(db, org_id)
    # The app runs as its login role, under row-level security, exactly as `khub serve` does.
    app_db = await Database.open(settings.database, as_app=True)
    app = create_app(settings, database=app_db)
    client = Client(app, login.token)
    if args.gc_freeze:
        # Objects alive now (modules, schema, inputs) leave the collector's generations, so
        # a full collection no longer walks them: what a server can do after start-up.
        gc.collect()
        gc.freeze()
    summaries: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    try:
        with StatementRecorder(app_db.engine) as recorder:
            cases = await available(client, build_cases(inputs), args.only, skipped)
            for case in cases:
                summary = await measure(client, recorder, case, args, app_db)
                if summary is None:
                    skipped[case.name] = "failed (see above)"
                else:
                    summaries.append(summary)
    finally:
        await client.close()
        await app_db.close()
        await dataset.close_session(db, org_id, login)
    result = {
        "machine": machine,
        "data": inputs.counts,
        "settings": {
            k: getattr(args, k) for k in ("iterations", "warmup", "inputs", "seed", "gc_freeze")
        },
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "results": summaries,
        "skipped": skipped,
    }
    path = report.write_json(result)
    print()
    print(report.markdown_table(summaries))
    for summary in summaries:
        if "per-input" in next(c.tags for c in cases if c.name == summary["name"]):
            print()
            print(report.per_input_table(summary))
    for name, why in skipped.items():
        print(f"skipped {name}: {why}")
    print(f"\nwrote {path}")
    return 0


async def available(
    client: Client, cases: list[Case], only: list[str] | None, skipped: dict[str, str]
) -> list[Case]:
    """The cases to run: those asked for whose fields the running schema has."""
    if only:
        unknown = set(only) - {c.name for c in cases}
        if unknown:
            raise SystemExit(f"unknown case(s): {', '.join(sorted(unknown))}")
        cases = [c for c in cases if c.name in only]
    fields = await client.fields_of(*{t for c in cases for t, _ in c.requires})
    ready = []
    for case in cases:
        missing = [f"{t}.{f}" for t, f in case.requires if f not in fields[t]]
        if missing:
            skipped[case.name] = f"not in the schema yet: {', '.join(missing)}"
        else:
            ready.append(case)
    return ready


async def measure(
    client: Client, recorder: StatementRecorder, case: Case, args: argparse.Namespace, db: Database
) -> dict[str, Any] | None:
    print(f"\n{case.name}: {args.warmup} warm-up + {args.iterations} measured", flush=True)
    profiler = Profiler() if args.profile == case.name else None
    try:
        if profiler:
            profiler.start()
        measurement = await run_case(
            client, recorder, case, iterations=args.iterations, warmup=args.warmup
        )
    except GraphQLError as exc:
        print(f"  FAILED: {exc}")
        return None
    finally:
        if profiler:
            profiler.stop()
    summary = measurement.summary()
    ms = summary["ms"]
    print(
        f"  p50 {ms['p50']:.1f} ms, p95 {ms['p95']:.1f} ms, max {ms['max']:.1f} ms; "
        f"SQL p50 {summary['sql_ms']['p50']:.1f} ms; statements {summary['statements']}; "
        f"GC max {summary['gc_ms']['max']:.1f} ms"
    )
    if profiler:
        summary["profile"] = {"kind": profiler.kind, "text": profiler.text()}
        print(summary["profile"]["text"])
    if args.explain:
        summary["explain"] = await explain_heaviest(
            db.engine, recorder, measurement.slowest_statements
        )
        if summary["explain"]:
            print("\n".join(f"  {line}" for line in summary["explain"]["plan"]))
    return summary


def entry() -> None:
    args = parse_args()
    os.environ.setdefault("KHUB_ENV", "development")
    sys.exit(asyncio.run(main(args)))


if __name__ == "__main__":
    entry()
