"""The `Subscription` root type: changes to documents, the knowledge graph and the audit
trail, pushed over `graphql-transport-ws` (graph/subscription/feed.py fans them out)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from graph.core.errors import Forbidden
from graph.core.ids import query_row_id
from graph.core.permissions import IsAdmin, IsAuthenticated
from graph.subscription import reads
from graph.subscription.messages import MessageSubscriptions
from graph.subscription.types import (
    AuditEventAdded,
    ChangeKind,
    DocumentChange,
    DocumentChangeFilter,
    KnowledgeGraphChange,
)
from graph.subscription.watch import changes

MISSED = ChangeKind.MISSED_EVENTS


def _watch(filter: DocumentChangeFilter | None) -> reads.DocumentWatch:
    if filter is None:
        return reads.DocumentWatch()
    ids = None
    if filter.ids is not None:
        ids = frozenset(query_row_id(i, "Document", field="ids") for i in filter.ids)
    tag_ids = None
    if filter.tag_ids is not None:
        tag_ids = [query_row_id(t, "Tag", field="tagIds") for t in filter.tag_ids]
    return reads.DocumentWatch(
        collection_id=query_row_id(filter.collection_id, "Collection", field="collectionId"),
        tag_ids=tag_ids,  # type: ignore[arg-type]
        ids=ids,  # type: ignore[arg-type]
    )


@strawberry.type(description="Changes pushed to the client over graphql-transport-ws.")
class Subscription(MessageSubscriptions):
    @strawberry.subscription(
        description="Documents created, changed, deleted or restored that you may see, "
        "optionally only those matching `filter`.",
        permission_classes=[IsAuthenticated],
    )
    async def document_changed(
        self,
        info: Info,
        filter: Annotated[
            DocumentChangeFilter | None,
            strawberry.argument(description="Only changes to documents that match."),
        ] = None,
    ) -> AsyncGenerator[DocumentChange, None]:
        watch = _watch(filter)
        async with aclosing(changes(info, frozenset({"Document"}))) as stream:
            async for change in stream:
                if change is None:
                    yield DocumentChange(kind=MISSED, document=None, version=None)
                    continue
                assert change.entity_id is not None
                document = await reads.document(info.context, change.entity_id, watch)
                if document is not None:
                    kind = ChangeKind(change.kind)
                    yield DocumentChange(kind=kind, document=document, version=change.version)

    @strawberry.subscription(
        description="Knowledge nodes and edges created, changed, deleted or restored, "
        "optionally only of these node or edge types.",
        permission_classes=[IsAuthenticated],
    )
    async def knowledge_graph_changed(
        self,
        info: Info,
        node_types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only nodes of these types (all without it)."),
        ] = None,
        edge_types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only edges of these types (all without it)."),
        ] = None,
    ) -> AsyncGenerator[KnowledgeGraphChange, None]:
        async with aclosing(changes(info, frozenset(reads.KNOWLEDGE))) as stream:
            async for change in stream:
                if change is None:
                    yield KnowledgeGraphChange(kind=MISSED, node=None, edge=None, version=None)
                    continue
                assert change.entity_id is not None
                is_node = change.entity_type == "KnowledgeNode"
                repository = reads.KNOWLEDGE[change.entity_type]
                found = await reads.row(info.context, repository, change.entity_id)
                wanted = node_types if is_node else edge_types
                if found is None or (wanted is not None and _type_of(found) not in wanted):
                    continue
                yield KnowledgeGraphChange(
                    kind=ChangeKind(change.kind),
                    node=found if is_node else None,
                    edge=None if is_node else found,
                    version=change.version,
                )

    @strawberry.subscription(
        description="Every audited mutation of your organization, as it commits (admins).",
        permission_classes=[IsAdmin],
    )
    async def audit_event_added(self, info: Info) -> AsyncGenerator[AuditEventAdded, None]:
        async with aclosing(changes(info, None)) as stream:
            async for change in stream:
                if change is None:
                    yield AuditEventAdded(kind=MISSED, audit_event=None)
                    continue
                if not info.context.viewer.is_admin:  # as re-authenticated for this event
                    raise Forbidden(IsAdmin.message)
                if change.audit_event_id is None:  # a job's progress: not an audit event
                    continue
                found = await reads.row(info.context, reads.AUDIT, change.audit_event_id)
                if found is not None:
                    yield AuditEventAdded(kind=ChangeKind.CREATED, audit_event=found)


def _type_of(found: Any) -> str:
    return found.node_type if hasattr(found, "node_type") else found.edge_type
