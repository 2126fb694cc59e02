"""Resources, their links to documents and knowledge nodes, and their usage count."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from persistence.document.repository import DocumentRepository
from persistence.errors import NotFound, ValidationError
from persistence.ids import new_id
from persistence.knowledge.repository import KnowledgeNodeRepository
from persistence.relation import Rows, Through
from persistence.repository import Repository, contains_text, given
from persistence.resource.models import (
    URL_MAX,
    Resource,
    ResourceDocument,
    ResourceKind,
    ResourceNode,
)


@dataclass(frozen=True)
class ResourceFilter:
    kind: ResourceKind | None = None
    search: str | None = None
    document_id: uuid.UUID | None = None
    node_id: uuid.UUID | None = None
    min_quality: float | None = None


def checked_url(url: str) -> str:
    """The URL trimmed, if it is an absolute http or https URL with a host that fits the
    column; a ValidationError on `url` otherwise (`javascript:`, `file:`, relative …)."""
    url = url.strip()
    if len(url) > URL_MAX:
        raise ValidationError("url", f"url is longer than {URL_MAX} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise ValidationError("url", "url must be an absolute http:// or https:// URL")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise ValidationError("url", "url must not contain spaces or control characters")
    return url


def checked_quality(score: float) -> float:
    if not 0 <= score <= 1:
        raise ValidationError("quality_score", "quality score must be between 0 and 1")
    return score


class ResourceRepository(Repository[Resource]):
    """External material, shared by the whole organization (no PRIVATE resources)."""

    model = Resource
    entity = "resource"
    sort_keys = {
        "created_at": Resource.created_at,
        "title": Resource.title,
        "quality_score": Resource.quality_score,
        "usage_count": Resource.usage_count,
    }

    def filters(self, filter: ResourceFilter) -> list[Any]:
        org = self.scope.organization_id
        clauses: list[Any] = []
        if filter.kind is not None:
            clauses.append(Resource.kind == filter.kind)
        if filter.min_quality is not None:
            clauses.append(Resource.quality_score >= filter.min_quality)
        if given(filter.search):
            clauses.append(
                or_(
                    contains_text(Resource.title, filter.search),
                    contains_text(Resource.description, filter.search),
                )
            )
        for link, column, value in (
            (ResourceDocument, ResourceDocument.document_id, filter.document_id),
            (ResourceNode, ResourceNode.node_id, filter.node_id),
        ):
            if value is not None:
                linked = select(link.resource_id).where(
                    link.organization_id == org, column == value
                )
                clauses.append(Resource.id.in_(linked))
        return clauses

    async def use(self, id: uuid.UUID) -> Resource:
        """Count one use: one `UPDATE … SET usage_count = usage_count + 1 RETURNING`, so
        concurrent uses queue on the row and none is lost. Not an edit: the version stays."""
        stmt = (
            update(Resource)
            .where(
                Resource.organization_id == self.scope.organization_id,
                Resource.id == id,
                Resource.deleted_at.is_(None),
            )
            .values(usage_count=Resource.usage_count + 1, updated_at=Resource.updated_at)
            .returning(Resource)
        )
        row = (await self._run(stmt)).scalars().first()
        if row is None:
            raise NotFound(self.entity, id)
        return row

    async def link(
        self,
        resource_id: uuid.UUID,
        *,
        document_ids: Sequence[uuid.UUID] = (),
        node_ids: Sequence[uuid.UUID] = (),
    ) -> None:
        """Link documents and nodes (pairs already linked stay as they are); one statement
        per table."""
        org = self.scope.organization_id
        for model, column, ids in (
            (ResourceDocument, "document_id", document_ids),
            (ResourceNode, "node_id", node_ids),
        ):
            rows = [
                {"id": new_id(), "organization_id": org, "resource_id": resource_id, column: i}
                for i in dict.fromkeys(ids)
            ]
            if rows:
                await self._run(insert(model).on_conflict_do_nothing(), rows)

    async def unlink(
        self,
        resource_id: uuid.UUID,
        *,
        document_ids: Sequence[uuid.UUID] = (),
        node_ids: Sequence[uuid.UUID] = (),
    ) -> None:
        """Remove links (absent ones are no error); one statement per table."""
        org = self.scope.organization_id
        for model, column, ids in (
            (ResourceDocument, ResourceDocument.document_id, document_ids),
            (ResourceNode, ResourceNode.node_id, node_ids),
        ):
            if ids:
                await self.session.execute(
                    delete(model).where(
                        model.organization_id == org,
                        model.resource_id == resource_id,
                        column.in_(list(ids)),
                    )
                )


RESOURCE_BY_ID = Rows(ResourceRepository)
RESOURCES_BY_DOCUMENT = Rows(
    ResourceRepository,
    many=True,
    order=("-quality_score", "id"),
    through=Through(ResourceDocument, "document_id", "resource_id"),
)
RESOURCES_BY_NODE = Rows(
    ResourceRepository,
    many=True,
    order=("-quality_score", "id"),
    through=Through(ResourceNode, "node_id", "resource_id"),
)
DOCUMENTS_BY_RESOURCE = Rows(
    DocumentRepository,
    many=True,
    order=("title", "id"),
    through=Through(ResourceDocument, "resource_id", "document_id"),
)
NODES_BY_RESOURCE = Rows(
    KnowledgeNodeRepository,
    many=True,
    order=("label", "id"),
    through=Through(ResourceNode, "resource_id", "node_id"),
)
