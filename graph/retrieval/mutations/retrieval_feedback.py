"""`retrievalFeedback`: whether a document a search returned was useful."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from graph.core.errors import NotFound, ValidationError
from graph.core.ids import row_id
from graph.core.mutations import MutationContext, run
from graph.core.permissions import CanWriteOwnAccount
from graph.retrieval.types import RetrievalQuery
from persistence.document.repository import DocumentRepository
from persistence.retrieval.repository import (
    RetrievalFeedbackRepository,
    RetrievalQueryRepository,
)

if TYPE_CHECKING:
    from graph.document.types import Document

DocumentRef = Annotated["Document", strawberry.lazy("graph.document.types")]


@strawberry.input(description="A verdict on one hit of a recorded search.")
class RetrievalFeedbackInput:
    query_id: relay.GlobalID = strawberry.field(description="The RetrievalQuery.")
    document_id: relay.GlobalID = strawberry.field(
        description="The Document: one the search returned."
    )
    useful: bool = strawberry.field(description="Whether it helped.")


@strawberry.type(description="The verdict was recorded (it replaces an earlier one).")
class RetrievalFeedbackSuccess:
    query: RetrievalQuery = strawberry.field(description="The query.")
    document: DocumentRef = strawberry.field(description="The document.")
    useful: bool = strawberry.field(description="The verdict recorded.")


RetrievalFeedbackResult = Annotated[
    RetrievalFeedbackSuccess | ValidationError | NotFound,
    strawberry.union("RetrievalFeedbackResult", description="The verdict, or why not."),
]


async def resolve(info: strawberry.Info, input: RetrievalFeedbackInput) -> RetrievalFeedbackResult:
    async def work(m: MutationContext) -> RetrievalFeedbackSuccess:
        query_id = row_id(input.query_id, "RetrievalQuery", field="queryId")
        document_id = row_id(input.document_id, "Document", field="documentId")
        # another user's query is absent for all but admins: NotFound
        query = await RetrievalQueryRepository(m.session, m.scope).get(query_id)
        document = await DocumentRepository(m.session, m.scope).get(document_id)
        feedback = await RetrievalFeedbackRepository(m.session, m.scope).give(
            query, document_id=document_id, useful=input.useful, user_id=m.viewer.user_id
        )
        changes = {"document_id": {"old": None, "new": str(document_id)}}
        changes["useful"] = {"old": None, "new": feedback.useful}
        await m.audit("retrievalFeedback", "RetrievalQuery", query_id, changes)
        return RetrievalFeedbackSuccess(query=query, document=document, useful=feedback.useful)

    return await run(info, work)  # type: ignore[return-value]


field = strawberry.mutation(
    resolver=resolve,
    description=(
        "Say whether a document a search returned was useful. Only who made the query (or an "
        "ADMIN) may: anyone else's query is NotFound. The document must be among the query's "
        "hits (else ValidationError on documentId). A second verdict on the same hit "
        "replaces the first."
    ),
    permission_classes=[CanWriteOwnAccount],
)
