"""The job domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.job.mutations import (
    job_cancel,
    job_start_export,
    job_start_import,
    job_start_purge,
    job_start_reindex,
)


@strawberry.type
class JobMutations:
    job_start_reindex = job_start_reindex.field
    job_start_purge = job_start_purge.field
    job_start_import = job_start_import.field
    job_start_export = job_start_export.field
    job_cancel = job_cancel.field
