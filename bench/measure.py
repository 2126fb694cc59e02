"""Running a case: warm up, then time N operations one after another, one client."""

from __future__ import annotations

import gc
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bench.cases import Case
from bench.client import Client, Statement, StatementRecorder, data_of


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: a value that was actually observed."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


class GcTimer:
    """Time the garbage collector spends, from `gc.callbacks`: tail latency's usual suspect."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


@dataclass
class Sample:
    label: str
    seconds: float
    sql_seconds: float
    gc_seconds: float
    statements: int
    authentication: int
    sizes: dict[str, int]


@dataclass
class Measurement:
    case: Case
    samples: list[Sample] = field(default_factory=list)
    slowest_statements: list[Statement] = field(default_factory=list)

    def ms(self, p: float, attribute: str = "seconds") -> float:
        return 1000 * percentile([getattr(s, attribute) for s in self.samples], p)

    def summary(self) -> dict[str, Any]:
        statements = sorted({s.statements for s in self.samples})
        authentication = sorted({s.authentication for s in self.samples})
        sizes: dict[str, list[int]] = defaultdict(list)
        for sample in self.samples:
            for key, value in sample.sizes.items():
                sizes[key].append(value)
        per_input: dict[str, list[float]] = defaultdict(list)
        for sample in self.samples:
            per_input[sample.label].append(sample.seconds)
        return {
            "name": self.case.name,
            "title": self.case.title,
            "tags": list(self.case.tags),
            "iterations": len(self.samples),
            "inputs": len(self.case.inputs),
            "ms": {f"p{p}": round(self.ms(p), 2) for p in (50, 95, 99)}
            | {"max": round(self.ms(100), 2), "mean": round(self._mean(), 2)},
            "sql_ms": {f"p{p}": round(self.ms(p, "sql_seconds"), 2) for p in (50, 95)},
            "gc_ms": {
                "total": round(1000 * sum(s.gc_seconds for s in self.samples), 2),
                "max": round(self.ms(100, "gc_seconds"), 2),
            },
            "statements": statements,
            "authentication_statements": authentication,
            "sizes": {
                key: {"min": min(v), "median": statistics.median(v), "max": max(v)}
                for key, v in sizes.items()
            },
            "per_input": {
                label: {
                    "p50_ms": round(1000 * percentile(values, 50), 2),
                    "max_ms": round(1000 * max(values), 2),
                    "sizes": next(s.sizes for s in self.samples if s.label == label),
                }
                for label, values in per_input.items()
            },
            "query": self.case.query.strip(),
            "samples_ms": [round(1000 * s.seconds, 2) for s in self.samples],
            "sql_samples_ms": [round(1000 * s.sql_seconds, 2) for s in self.samples],
        }

    def _mean(self) -> float:
        return 1000 * statistics.fmean(s.seconds for s in self.samples)


async def run_case(
    client: Client, recorder: StatementRecorder, case: Case, *, iterations: int, warmup: int
) -> Measurement:
    """Warm-up passes are not recorded; every measured operation is checked for errors."""
    for i in range(warmup):
        label, variables = case.inputs[i % len(case.inputs)]
        data_of(await client.post(case.query, variables))
    measurement = Measurement(case)
    slowest = -1.0
    gc.collect()
    with GcTimer() as collector:
        for i in range(iterations):
            label, variables = case.inputs[i % len(case.inputs)]
            recorder.reset()
            collected = collector.seconds
            started = time.perf_counter()
            response = await client.post(case.query, variables)
            seconds = time.perf_counter() - started
            gc_seconds = collector.seconds - collected
            data = data_of(response)
            measurement.samples.append(
                Sample(
                    label=label,
                    seconds=seconds,
                    sql_seconds=recorder.seconds,
                    gc_seconds=gc_seconds,
                    statements=recorder.count,
                    authentication=recorder.authentication_count,
                    sizes=case.sizes(data),
                )
            )
            # The plan to explain: the operation that spent longest in SQL, less the garbage
            # collection during it (a collection inside an await inflates the SQL time).
            if recorder.seconds - gc_seconds > slowest:
                slowest = recorder.seconds - gc_seconds
                measurement.slowest_statements = list(recorder.statements)
    return measurement
