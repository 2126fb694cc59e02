"""Loaders of the retrieval history."""

from __future__ import annotations

from graph.core.loaders import RelationLoader
from persistence.retrieval.repository import RETRIEVAL_QUERY_BY_ID


class RetrievalQueryByIdLoader(RelationLoader):
    """A caller's own calls; every call of the organization for admins."""

    relation = RETRIEVAL_QUERY_BY_ID
