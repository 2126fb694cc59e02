"""The retrieval domain's part of the schema."""

from __future__ import annotations

import strawberry

from graph.retrieval.mutations import retrieval_feedback


@strawberry.type
class RetrievalMutations:
    retrieval_feedback = retrieval_feedback.field
