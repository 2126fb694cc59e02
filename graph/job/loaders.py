"""Loaders of the job domain."""

from __future__ import annotations

from graph.core.loaders import RelationLoader
from persistence.job.repository import JOB_BY_ID


class JobByIdLoader(RelationLoader):
    relation = JOB_BY_ID
