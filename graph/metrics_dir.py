"""The directory Prometheus' multiprocess mode shares between `khub serve`'s workers."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def shared(workers: int) -> Iterator[Path | None]:
    """Several workers: a fresh temporary directory (removed afterwards) unless the
    operator named one, which is emptied of the last run's values first. One worker keeps
    its metrics in memory (with the process collector) unless a directory was named."""
    given = os.environ.get(MULTIPROC_DIR)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
        yield path
        return
    if workers == 1:
        yield None
        return
    path = Path(tempfile.mkdtemp(prefix="khub-metrics-"))
    os.environ[MULTIPROC_DIR] = str(path)  # read by each worker as it imports the client
    try:
        yield path
    finally:
        os.environ.pop(MULTIPROC_DIR, None)
        shutil.rmtree(path, ignore_errors=True)


def forget(pid: int) -> None:
    """A worker died: its live gauges (the pool's connections) no longer count."""
    if os.environ.get(MULTIPROC_DIR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
