"""Profiling one case's measured loop: pyinstrument when installed, else cProfile.

pyinstrument samples the call stack and follows async tasks, so time waiting on the
database shows up as `await`s and the rest is the Python/GraphQL work. cProfile is
deterministic but attributes time badly around SQLAlchemy's greenlet switches; its table
(functions by own time) is still a fair view of what the Python side spends.
"""

from __future__ import annotations

import cProfile
import io
import pstats
from typing import Any


class Profiler:
    def __init__(self) -> None:
        try:
            from pyinstrument import Profiler as Sampling
        except ImportError:
            self._sampling: Any = None
            self._deterministic = cProfile.Profile()
        else:
            self._sampling = Sampling(interval=0.0005, async_mode="enabled")
            self._deterministic = None

    @property
    def kind(self) -> str:
        return "pyinstrument" if self._sampling else "cProfile"

    def start(self) -> None:
        if self._sampling:
            self._sampling.start()
        else:
            self._deterministic.enable()

    def stop(self) -> None:
        if self._sampling:
            self._sampling.stop()
        else:
            self._deterministic.disable()

    def text(self, limit: int = 40) -> str:
        if self._sampling:
            tree = self._sampling.output_text(unicode=False, color=False, show_all=False)
            flat = self._sampling.output_text(unicode=False, color=False, flat=True)
            top = "\n".join(flat.splitlines()[: limit + 8])
            return f"{tree}\nFunctions by own time:\n{top}"
        out = io.StringIO()
        pstats.Stats(self._deterministic, stream=out).sort_stats("tottime").print_stats(limit)
        return out.getvalue()
