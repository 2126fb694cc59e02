"""Documents (with PRIVATE visibility enforced in every query), tags and annotations."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, any_, delete, func, select
from sqlalchemy.dialects.postgresql import array, insert

from persistence.collection.models import Visibility
from persistence.document.models import Annotation, Document, DocumentStatus, DocumentTag, Tag
from persistence.errors import ValidationError
from persistence.ids import new_id
from persistence.relation import Count, Rows, Through
from persistence.repository import PrivateToOwner, Repository, contains_text, given, uuid_array


@dataclass(frozen=True)
class DocumentFilter:
    collection_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    status: DocumentStatus | None = None
    visibility: Visibility | None = None
    tag_id: uuid.UUID | None = None
    search: str | None = None


class DocumentRepository(PrivateToOwner, Repository[Document]):
    """Documents; PRIVATE ones exist only for their owner and admins."""

    model = Document
    entity = "document"
    sort_keys = {
        "created_at": Document.created_at,
        "updated_at": Document.updated_at,
        "title": Document.title,
    }

    def filters(self, filter: DocumentFilter) -> list[Any]:
        clauses: list[Any] = []
        for column, value in (
            (Document.collection_id, filter.collection_id),
            (Document.owner_id, filter.owner_id),
            (Document.status, filter.status),
            (Document.visibility, filter.visibility),
        ):
            if value is not None:
                clauses.append(column == value)
        if filter.tag_id is not None:
            clauses.append(
                Document.id.in_(
                    select(DocumentTag.document_id).where(
                        DocumentTag.organization_id == self.scope.organization_id,
                        DocumentTag.tag_id == filter.tag_id,
                    )
                )
            )
        if given(filter.search):
            clauses.append(contains_text(Document.title, filter.search))
        return clauses

    async def count_per_tag(self, tag_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        """How many live documents the caller can see carry each tag, in one statement."""
        counts = await DOCUMENT_COUNT_BY_TAG.fetch(self.session, self.scope, tag_ids)
        return dict(zip(tag_ids, counts, strict=True))


class TagRepository(Repository[Tag]):
    model = Tag
    entity = "tag"
    sort_keys = {"name": Tag.name, "created_at": Tag.created_at}

    async def ensure(self, names: Sequence[str]) -> list[Tag]:
        """Tags with these names, creating the missing ones; two statements in all.

        Names are matched to tags by PostgreSQL's `lower()`, the folding the unique index
        uses: Python's `str.lower()` differs for some letters (`İ`, final `Σ`)."""
        cleaned = list(dict.fromkeys(n.strip() for n in names))
        limit = Tag.__table__.c.name.type.length
        if any(not n or len(n) > limit for n in cleaned):
            raise ValidationError(
                "tag_names", f"tag names must not be blank nor longer than {limit} characters"
            )
        if not cleaned:
            return []
        rows = [
            {"id": new_id(), "organization_id": self.scope.organization_id, "name": n}
            for n in cleaned
        ]
        await self._run(insert(Tag).on_conflict_do_nothing(), rows)
        asked = (
            func.unnest(array(cleaned, type_=Text))
            .table_valued("name", with_ordinality="position")
            .render_derived()
        )
        stmt = (
            self.select()
            .join(asked, func.lower(Tag.name) == func.lower(asked.c.name))
            .order_by(asked.c.position)
        )
        return list((await self.session.scalars(stmt)).all())

    async def tag_document(self, document_id: uuid.UUID, tag_ids: Sequence[uuid.UUID]) -> None:
        """Attach tags to a document (already attached ones are left as they are)."""
        rows = [
            {
                "id": new_id(),
                "organization_id": self.scope.organization_id,
                "document_id": document_id,
                "tag_id": tag_id,
            }
            for tag_id in dict.fromkeys(tag_ids)
        ]
        if rows:
            await self._run(insert(DocumentTag).on_conflict_do_nothing(), rows)

    async def untag_document(self, document_id: uuid.UUID, tag_ids: Sequence[uuid.UUID]) -> None:
        """Detach tags from a document in one statement."""
        await self.session.execute(
            delete(DocumentTag).where(
                DocumentTag.organization_id == self.scope.organization_id,
                DocumentTag.document_id == document_id,
                DocumentTag.tag_id == any_(uuid_array("tag_ids", tag_ids)),
            )
        )

    async def for_documents(self, document_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Tag]]:
        """Each document's tags by name, for many documents in one statement."""
        found = await TAGS_BY_DOCUMENT.fetch(self.session, self.scope, document_ids)
        return dict(zip(document_ids, found, strict=True))


class AnnotationRepository(Repository[Annotation]):
    model = Annotation
    entity = "annotation"
    sort_keys = {"created_at": Annotation.created_at, "start_offset": Annotation.start_offset}

    def visible(self) -> list[Any]:
        """An annotation exists only with a live document the caller can see: its quote is
        part of that document's content (PRIVATE documents are their owner's and admins')."""
        if self.scope.is_admin:
            return []
        documents = DocumentRepository(self.session, self.scope).select()
        return [documents.where(Document.id == Annotation.document_id).exists()]

    async def for_documents(
        self, document_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[Annotation]]:
        """Each document's annotations in text order, for many documents in one statement."""
        found = await ANNOTATIONS_BY_DOCUMENT.fetch(self.session, self.scope, document_ids)
        return dict(zip(document_ids, found, strict=True))


DOCUMENT_BY_ID = Rows(DocumentRepository)
TAG_BY_ID = Rows(TagRepository)
ANNOTATION_BY_ID = Rows(AnnotationRepository)
TAGS_BY_DOCUMENT = Rows(
    TagRepository, many=True, order=("name",), through=Through(DocumentTag, "document_id", "tag_id")
)
ANNOTATIONS_BY_DOCUMENT = Rows(
    AnnotationRepository, key="document_id", many=True, order=("start_offset", "id")
)
DOCUMENT_COUNT_BY_TAG = Count(
    Rows(DocumentRepository, through=Through(DocumentTag, "tag_id", "document_id"))
)
