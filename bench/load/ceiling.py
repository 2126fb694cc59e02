"""The ceiling step: the probe (bench/load/probe.py) served, checked and driven like khub.

For each operation the probe runs as its own one-worker uvicorn process (uvloop, httptools,
no access log) against the benchmark database, answers exactly the statement's JSON (checked
as khub's responses are), and takes the same wrk load; its rate over the SQL limit is the
best ratio any Python server could reach on this machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench.load import data, drive, report, wrk
from bench.load.operations import Operation
from bench.load.pgbench import Limit
from bench.load.report import ServerRun
from bench.load.server import ChildServer, khub_env
from bench.load.verify import verify
from persistence.database import Database


class Probe(ChildServer):
    """`uvicorn bench.load.probe` for one operation, one worker."""

    name = "the probe"
    # The probe has one route; uvicorn listens only once the lifespan has opened the pool,
    # so any answer (405 to this GET) means it is ready.
    ready_path = "/graphql"

    def __init__(
        self, target: data.Target, operation: Operation, *, connections: int, log: Path
    ) -> None:
        super().__init__(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "bench.load.probe:from_environment",
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            khub_env(
                PROBE_OPERATION=operation.name,
                PROBE_DATABASE_URL=target.url,
                PROBE_ROLE=target.app_role,
                PROBE_ORGANIZATION=str(target.organization_id),
                PROBE_VIEWER=str(target.viewer_id),
                PROBE_CONNECTIONS=str(connections),
            ),
            log=log,
        )

    def is_ready(self, status: int) -> bool:
        return True


async def measure(
    args: argparse.Namespace,
    db: Database,
    target: data.Target,
    operation: Operation,
    limit: Limit,
    work: Path,
) -> ServerRun:
    """The probe's run of `operation`, stopped on every exit path."""
    probe = Probe(
        target, operation, connections=args.connections, log=work / f"probe-{operation.name}.log"
    )
    try:
        probe.wait_ready()
        await verify(probe.post, db, target, operation, work, who="probe")
        script = wrk.write_script(
            work / f"probe-{operation.name}.lua", [operation.body(v) for v in operation.inputs]
        )
        measured = drive.under_load(
            probe,
            script,
            connections=args.connections,
            warmup=args.warmup,
            duration=args.duration,
            postmaster=args.postmaster,
        )
    finally:
        probe.stop()
    run = ServerRun(
        operation.name,
        operation.title,
        1,
        measured.load,
        measured.cpu_seconds,
        measured.database_cpu_seconds,
    )
    print(
        f"  probe {operation.name}: {run.load.rps:,.0f} rps, ratio {report.ratio(run, limit)}, "
        f"{report.per_request(run.cpu_seconds, run.load.requests)} ms CPU/request, "
        f"{report.per_request(run.database_cpu_seconds, run.load.requests)} ms PostgreSQL "
        f"CPU/request, {run.load.failed} failed",
        flush=True,
    )
    return run
