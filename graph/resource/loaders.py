"""Loaders of the resource domain."""

from __future__ import annotations

from graph.core.loaders import RelationLoader
from persistence.resource.repository import (
    DOCUMENTS_BY_RESOURCE,
    NODES_BY_RESOURCE,
    RESOURCE_BY_ID,
    RESOURCES_BY_DOCUMENT,
    RESOURCES_BY_NODE,
)


class ResourceByIdLoader(RelationLoader):
    relation = RESOURCE_BY_ID


class ResourcesByDocumentLoader(RelationLoader):
    """Each document's live resources, best quality first."""

    relation = RESOURCES_BY_DOCUMENT


class ResourcesByKnowledgeNodeLoader(RelationLoader):
    """Each knowledge node's live resources, best quality first."""

    relation = RESOURCES_BY_NODE


class DocumentsByResourceLoader(RelationLoader):
    """Each resource's live documents the caller can see, by title."""

    relation = DOCUMENTS_BY_RESOURCE


class KnowledgeNodesByResourceLoader(RelationLoader):
    """Each resource's live knowledge nodes, by label."""

    relation = NODES_BY_RESOURCE
