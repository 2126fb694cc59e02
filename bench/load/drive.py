"""One operation under wrk against a child server: warm-up, then the measured window with
the server's CPU and PostgreSQL's around it. The same for `khub serve` and the probe, so
their figures compare."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.load import cpu, wrk
from bench.load.server import ChildServer


@dataclass(frozen=True)
class Measured:
    load: wrk.Load
    cpu_seconds: float
    database_cpu_seconds: float | None  # PostgreSQL's, when the harness runs it


def under_load(
    server: ChildServer,
    script: Path,
    *,
    connections: int,
    warmup: int,
    duration: int,
    postmaster: int | None,
) -> Measured:
    url = f"{server.base}/graphql"
    if warmup > 0:
        wrk.run(url, script, connections=connections, seconds=warmup)
    server.wait_idle()
    before, database_before = server.cpu_seconds(), cpu.tree_seconds_if(postmaster)
    load = wrk.run(url, script, connections=connections, seconds=duration)
    used = server.cpu_seconds() - before
    database = cpu.since(database_before, cpu.tree_seconds_if(postmaster))
    server.wait_idle()  # the next operation starts from a quiet server too
    return Measured(load, used, database)
