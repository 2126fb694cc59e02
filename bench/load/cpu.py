"""CPU time of process trees from /proc: the server with its workers, PostgreSQL with its
backends. Dividing by the requests served says what each request costs each side, which
explains a ratio that throughput alone does not."""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def stat_fields(text: str) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): state, ppid, …"""
    return text[text.rindex(")") + 2 :].split()


def tree(root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_fields(stat.read_text())
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(children.get(pid, []))
    return found


def tree_seconds(root: int) -> float:
    """User + system CPU time of `root` and the processes below it so far, including the
    children that have exited and been waited for (PostgreSQL's backends come and go)."""
    total = 0
    for pid in tree(root):
        try:
            fields = stat_fields(Path(f"/proc/{pid}/stat").read_text())
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if pid == root:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime: exited children
    return total / CLOCK_TICKS


def postmaster(data_dir: Path | None) -> int | None:
    """The PostgreSQL server's pid for an embedded data directory (None for DATABASE_URL)."""
    if data_dir is None:
        return None
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def tree_seconds_if(root: int | None) -> float | None:
    """`tree_seconds(root)`, or None where there is no process to measure (PostgreSQL behind
    DATABASE_URL)."""
    return None if root is None else tree_seconds(root)


def since(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before
