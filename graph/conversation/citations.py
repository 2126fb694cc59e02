"""Citations as posted: checked against what the poster may see before they are stored
(the database's organization-led keys refuse any row of another organization anyway)."""

from __future__ import annotations

import uuid

import strawberry
from strawberry import relay

from graph.core.ids import row_id
from graph.core.mutations import MutationContext
from persistence import errors as domain
from persistence.conversation.messages import CitationSource
from persistence.document.repository import AnnotationRepository, DocumentRepository
from persistence.knowledge.repository import KnowledgeNodeRepository

MAX_CITATIONS = 50


@strawberry.input(
    description="A source of an answer: a document (or a span or annotation of "
    "it) or a knowledge node. Ranked in the order given."
)
class CitationInput:
    document_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The cited document."
    )
    annotation_id: relay.GlobalID | None = strawberry.field(
        default=None, description="An annotation of that document."
    )
    span_start: int | None = strawberry.field(default=None, description="Cited span: start.")
    span_end: int | None = strawberry.field(default=None, description="Cited span: end.")
    knowledge_node_id: relay.GlobalID | None = strawberry.field(
        default=None, description="The cited knowledge node (instead of a document)."
    )


def _source(given: CitationInput) -> CitationSource:
    def id_of(value: relay.GlobalID | None, type_name: str) -> uuid.UUID | None:
        return None if value is None else row_id(value, type_name, field="citations")

    source = CitationSource(
        document_id=id_of(given.document_id, "Document"),
        annotation_id=id_of(given.annotation_id, "Annotation"),
        span_start=given.span_start,
        span_end=given.span_end,
        knowledge_node_id=id_of(given.knowledge_node_id, "KnowledgeNode"),
    )
    if (source.document_id is None) == (source.knowledge_node_id is None):
        raise domain.ValidationError(
            "citations", "a citation names either a document or a knowledge node"
        )
    return source


async def checked_sources(m: MutationContext, given: list[CitationInput]) -> list[CitationSource]:
    """The citations, every source one the caller can see; at most three statements."""
    if len(given) > MAX_CITATIONS:
        raise domain.ValidationError("citations", f"at most {MAX_CITATIONS} citations")
    sources = [_source(g) for g in given]
    for repository, attribute in (
        (DocumentRepository, "document_id"),
        (KnowledgeNodeRepository, "knowledge_node_id"),
    ):
        ids = list({getattr(s, attribute) for s in sources} - {None})
        if ids and None in await repository(m.session, m.scope).get_many(ids):
            raise domain.NotFound(attribute.removesuffix("_id"), field="citations")
    annotation_ids = list({s.annotation_id for s in sources} - {None})
    if annotation_ids:
        found = await AnnotationRepository(m.session, m.scope).get_many(annotation_ids)
        of = {a.id: a.document_id for a in found if a is not None}
        for s in sources:
            if s.annotation_id is not None and of.get(s.annotation_id) != s.document_id:
                raise domain.NotFound("annotation", field="citations")
    return sources
