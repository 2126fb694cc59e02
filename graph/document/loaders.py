"""Loaders of the document domain."""

from __future__ import annotations

from graph.core.loaders import CountPerLoader, FirstPerLoader, RelationLoader
from persistence.document.repository import (
    ANNOTATION_BY_ID,
    ANNOTATIONS_BY_DOCUMENT,
    DOCUMENT_BY_ID,
    DOCUMENT_COUNT_BY_TAG,
    TAG_BY_ID,
    TAGS_BY_DOCUMENT,
    DocumentRepository,
)
from persistence.pagination import Order


class DocumentByIdLoader(RelationLoader):
    relation = DOCUMENT_BY_ID


class TagByIdLoader(RelationLoader):
    relation = TAG_BY_ID


class AnnotationByIdLoader(RelationLoader):
    relation = ANNOTATION_BY_ID


class TagsByDocumentLoader(RelationLoader):
    relation = TAGS_BY_DOCUMENT


class AnnotationsByDocumentLoader(RelationLoader):
    relation = ANNOTATIONS_BY_DOCUMENT


class DocumentCountByCollectionLoader(CountPerLoader):
    repository = DocumentRepository
    column = "collection_id"


class DocumentsByCollectionLoader(FirstPerLoader):
    repository = DocumentRepository
    column = "collection_id"
    order = Order("title")
    counter = DocumentCountByCollectionLoader


class DocumentCountByOwnerLoader(CountPerLoader):
    repository = DocumentRepository
    column = "owner_id"


class DocumentsByOwnerLoader(FirstPerLoader):
    repository = DocumentRepository
    column = "owner_id"
    order = Order("created_at", descending=True)
    counter = DocumentCountByOwnerLoader


class DocumentCountByTagLoader(RelationLoader):
    """How many live documents the caller can see carry each tag, in one GROUP BY."""

    relation = DOCUMENT_COUNT_BY_TAG
