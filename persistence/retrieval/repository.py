"""Reading the retrieval history, and feedback on its hits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.dialects.postgresql import insert

from persistence.errors import ValidationError
from persistence.ids import new_id
from persistence.relation import Rows
from persistence.repository import Repository
from persistence.retrieval.models import SEARCH, RetrievalFeedback, RetrievalQuery


@dataclass(frozen=True)
class RetrievalQueryFilter:
    user_id: uuid.UUID | None = None


class RetrievalQueryRepository(Repository[RetrievalQuery]):
    """A caller sees the calls they made; admins see every call of the organization."""

    model = RetrievalQuery
    entity = "retrieval query"
    sort_keys = {"created_at": RetrievalQuery.created_at}

    def visible(self) -> list[ColumnElement[bool]]:
        if self.scope.is_admin:
            return []
        return [RetrievalQuery.user_id == self.scope.user_id]

    def filters(self, filter: RetrievalQueryFilter) -> list[ColumnElement[bool]]:
        if filter.user_id is None:
            return []
        return [RetrievalQuery.user_id == filter.user_id]


class RetrievalFeedbackRepository(Repository[RetrievalFeedback]):
    model = RetrievalFeedback
    entity = "retrieval feedback"

    async def give(
        self, query: RetrievalQuery, *, document_id: uuid.UUID, useful: bool, user_id: Any
    ) -> RetrievalFeedback:
        """Record (or replace) the verdict on one of a search's hits; one statement."""
        if query.kind != SEARCH or document_id not in query.hit_ids:
            raise ValidationError("document_id", "the document is not among the query's hits")
        values = {
            "organization_id": self.scope.organization_id,
            "id": new_id(),
            "query_id": query.id,
            "document_id": document_id,
            "user_id": user_id,
            "useful": useful,
        }
        stmt = insert(RetrievalFeedback).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["organization_id", "query_id", "document_id"],
            set_={"useful": useful, "user_id": user_id, "updated_at": func.now()},
        ).returning(RetrievalFeedback)
        rows = await self.session.scalars(stmt, execution_options={"populate_existing": True})
        return rows.one()


RETRIEVAL_QUERY_BY_ID = Rows(RetrievalQueryRepository)
