"""The load benchmark's report of the ceiling: the probe's figures beside the SQL limit."""

from __future__ import annotations

from bench.load import report
from bench.load.pgbench import Limit
from bench.load.report import ServerRun
from bench.load.wrk import Load

TITLES = {"documents": "50 newest documents", "search-hits": "searchDocuments, 20 hits"}


def load(requests: int, seconds: float = 8.0) -> Load:
    return Load(requests, seconds, 1.0, 2.0, 1.1, 3.0, 0, 0, 0)


PROBES = {
    "documents": ServerRun("documents", TITLES["documents"], 1, load(8_000), 4.0, 2.4),
    "search-hits": ServerRun("search-hits", TITLES["search-hits"], 1, load(4_800), 6.0, None),
}
LIMITS = {
    "documents": Limit(tps=2_000.0, latency_ms=8.0, transactions=16_000, failed=0),
    "search-hits": Limit(tps=1_000.0, latency_ms=16.0, transactions=8_000, failed=0),
}


def test_probe_table_shows_rps_ratio_to_the_sql_limit_and_cpu_per_request():
    table = report.probe_table(PROBES, LIMITS, TITLES)

    assert table.splitlines() == [
        "| operation | probe rps | probe ratio | probe CPU ms/request "
        "| PostgreSQL CPU ms/request |",
        "| --- | ---: | ---: | ---: | ---: |",
        "| 50 newest documents | 1,000 | 0.50 | 0.50 | 0.30 |",
        "| searchDocuments, 20 hits | 600 | 0.60 | 1.25 | — |",
    ]


def test_probe_table_shows_a_dash_for_an_operation_without_a_limit():
    table = report.probe_table({"documents": PROBES["documents"]}, {}, TITLES)

    assert table.splitlines()[-1] == "| 50 newest documents | 1,000 | — | 0.50 | 0.30 |"


def test_json_results_carry_the_probes_figures_and_ratio():
    result = report.as_json([], LIMITS, PROBES)

    documents = result["probe"]["documents"]
    assert (documents["rps"], documents["ratio"], documents["cpu_ms_per_request"]) == (
        1000.0,
        0.5,
        0.5,
    )
    assert documents["database_cpu_seconds"] == 2.4
    assert result["probe"]["search-hits"]["ratio"] == 0.6
