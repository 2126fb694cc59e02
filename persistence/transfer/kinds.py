"""The `import` and `export` job kinds: the transfer engines registered with the worker.

The engines code against the job-run contract (`persistence/transfer/run.py`); here they
meet the worker. Refusals that a retry would repeat (the requester may no longer import, a
file or collection is gone, a file too large or malformed) fail the job at once; JobCancelled
and the worker's own signals pass through untouched.
"""

from __future__ import annotations

from typing import Any

from persistence.job.kinds import job_kind
from persistence.job.run import JobRun
from persistence.transfer.exporting import run_export
from persistence.transfer.importing import NotAllowed, run_import


@job_kind("import", permanent=(NotAllowed,))
async def import_kind(run: JobRun) -> dict[str, Any]:
    return await run_import(run)


@job_kind("export", permanent=(NotAllowed,))
async def export_kind(run: JobRun) -> dict[str, Any]:
    return await run_export(run)
