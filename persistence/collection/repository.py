"""Collections: the folder tree, its moves (never into its own subtree) and its ancestry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import any_, func, literal, select, update

from persistence.collection.models import Collection
from persistence.errors import ValidationError
from persistence.locks import lock_organization
from persistence.relation import PARENT, Count, Rows, Seed, Walked
from persistence.repository import PrivateToOwner, Repository, contains_text, given, uuid_array


@dataclass(frozen=True)
class CollectionFilter:
    parent_id: uuid.UUID | None = None
    roots_only: bool = False
    search: str | None = None


@dataclass(frozen=True)
class DocumentCounts:
    """Documents directly in a collection, and in it and every collection below it."""

    direct: int = 0
    with_descendants: int = 0


class CollectionRepository(PrivateToOwner, Repository[Collection]):
    """The folder tree; PRIVATE collections exist only for their owner and admins."""

    model = Collection
    entity = "collection"
    sort_keys = {
        "created_at": Collection.created_at,
        "updated_at": Collection.updated_at,
        "name": Collection.name,
    }

    def filters(self, filter: CollectionFilter) -> list[Any]:
        clauses: list[Any] = []
        if filter.parent_id is not None:
            clauses.append(Collection.parent_id == filter.parent_id)
        if filter.roots_only:
            clauses.append(Collection.parent_id.is_(None))
        if given(filter.search):
            clauses.append(contains_text(Collection.name, filter.search))
        return clauses

    def _lineage(self, starts: Sequence[uuid.UUID] | Seed) -> Any:
        """A recursive CTE of each start and its ancestors, with their depth (0 = start)."""
        org = self.scope.organization_id
        if not callable(starts):
            ids = starts
            starts = lambda column: column == any_(uuid_array("s", ids))  # noqa: E731
        base = select(
            Collection.id.label("start"),
            Collection.id,
            Collection.parent_id,
            literal(0).label("depth"),
        ).where(Collection.organization_id == org, starts(Collection.id))
        # a seed naming an enclosing query's row stays a reference to that row
        base = base.correlate_except(Collection)
        lineage = base.cte("lineage", recursive=True, nesting=True)
        step = select(
            lineage.c.start, Collection.id, Collection.parent_id, lineage.c.depth + 1
        ).where(
            Collection.organization_id == org,
            Collection.id == lineage.c.parent_id,
            lineage.c.depth < 1000,  # guards against a cycle the constraints somehow missed
        )
        return lineage.union_all(step)

    def ancestor_rows(self, seed: Seed) -> Any:
        """The visible live ancestors of the seed's collections, with the collection as
        `parent_key` and how far up each is (`ancestor_depth`); the walk passes through
        ancestors the caller cannot see."""
        lineage = self._lineage(seed)
        return (
            self.select()
            .join(lineage, Collection.id == lineage.c.id)
            .where(lineage.c.depth > 0)
            .add_columns(lineage.c.start.label(PARENT), lineage.c.depth.label("ancestor_depth"))
        )

    def documents_below(self, seed: Seed) -> Any:
        """The visible live documents of the seed's collections and of their live visible
        sub-collections at any depth, with the collection walked from as `parent_key`."""
        from persistence.document.models import Document
        from persistence.document.repository import DocumentRepository

        org = self.scope.organization_id
        start = (
            select(Collection.id.label("root"), Collection.id)
            .where(Collection.organization_id == org, seed(Collection.id))
            .correlate_except(Collection)  # a seed naming an enclosing query's row
            .cte("tree", recursive=True, nesting=True)
        )
        below = select(start.c.root, Collection.id).where(
            Collection.organization_id == org,
            Collection.parent_id == start.c.id,
            Collection.deleted_at.is_(None),
            *self.visible(),
        )
        tree = start.union(below)  # UNION, not ALL: ends even on a cycle
        documents = DocumentRepository(self.session, self.scope).select()
        joined = documents.join(tree, tree.c.id == Document.collection_id)
        return joined.add_columns(tree.c.root.label(PARENT))

    async def ancestors_of(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Collection]]:
        """Each collection's chain from the root down to its parent, in one statement."""
        found = await ANCESTORS.fetch(self.session, self.scope, ids)
        return dict(zip(ids, found, strict=True))

    async def document_counts(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DocumentCounts]:
        """Live documents the caller can see in each collection, directly and in its whole
        subtree (through live sub-collections the caller can see), in one statement."""
        from persistence.document.models import Document
        from persistence.document.repository import DocumentRepository

        org = self.scope.organization_id
        start = (
            select(Collection.id.label("root"), Collection.id)
            .where(Collection.organization_id == org, Collection.id == any_(uuid_array("ids", ids)))
            .cte("tree", recursive=True)
        )
        below = select(start.c.root, Collection.id).where(
            Collection.organization_id == org,
            Collection.parent_id == start.c.id,
            Collection.deleted_at.is_(None),
            *self.visible(),
        )
        tree = start.union(below)  # UNION, not ALL: ends even on a cycle
        documents = (
            DocumentRepository(self.session, self.scope)
            .select()
            .with_only_columns(Document.collection_id)
            .subquery()
        )
        stmt = (
            select(
                tree.c.root,
                func.count().filter(documents.c.collection_id == tree.c.root),
                func.count(),
            )
            .join_from(tree, documents, documents.c.collection_id == tree.c.id)
            .group_by(tree.c.root)
        )
        found = {root: DocumentCounts(d, t) for root, d, t in await self.session.execute(stmt)}
        return {i: found.get(i, DocumentCounts()) for i in ids}

    async def ancestors(self, id: uuid.UUID) -> list[Collection]:
        """The chain from the root down to the parent of `id`, in one statement."""
        return (await self.ancestors_of([id]))[id]

    async def move(
        self, id: uuid.UUID, *, parent_id: uuid.UUID | None, expected_version: int
    ) -> Collection:
        """Re-parent a collection; moving it under itself or its own subtree is refused.

        The check and the move run under the organization's invariant lock, so two moves
        (X under Y, Y under X) are checked one after the other and cannot close a cycle.
        """
        if parent_id is not None:
            if parent_id == id:
                raise ValidationError("parent_id", "a collection cannot be its own parent")
            await lock_organization(self.session, self.scope.organization_id)
            await self.get(parent_id)
            lineage = self._lineage([parent_id])
            cycle = await self.session.scalar(
                select(func.count()).select_from(lineage).where(lineage.c.id == id)
            )
            if cycle:
                raise ValidationError("parent_id", "a collection cannot move into its own subtree")
        return await self.update(id, expected_version=expected_version, parent_id=parent_id)

    def _subtree(self, root: uuid.UUID, stamp: datetime | None) -> Any:
        """`root` and the collections under it that are in the state `stamp` says: live
        (None), or deleted together at exactly `stamp` (one cascade shares one timestamp)."""
        org = self.scope.organization_id
        state = Collection.deleted_at.is_(None) if stamp is None else Collection.deleted_at == stamp
        tree = (
            select(Collection.id)
            .where(Collection.organization_id == org, Collection.id == root)
            .cte("subtree", recursive=True)
        )
        below = select(Collection.id).where(
            Collection.organization_id == org,
            Collection.parent_id == tree.c.id,
            state,
            *self.visible(),
        )
        return tree.union_all(below)

    async def _stamp_tree(
        self, root: uuid.UUID, *, where: datetime | None, to: datetime | None
    ) -> None:
        """Set `deleted_at` from `where` to `to` on the subtree and the documents in it."""
        from persistence.document.models import Document
        from persistence.document.repository import DocumentRepository

        org = self.scope.organization_id
        members = select(self._subtree(root, where).c.id)
        # Documents first: the walk follows the collections' state, which the second
        # statement changes.
        targets = (
            (
                Document,
                Document.collection_id,
                DocumentRepository(self.session, self.scope).visible(),
            ),
            (Collection, Collection.id, self.visible()),
        )
        for model, key, visible in targets:
            state = model.deleted_at.is_(None) if where is None else model.deleted_at == where
            await self.session.execute(
                update(model)
                .where(model.organization_id == org, key.in_(members), model.id != root, state)
                .where(*visible)
                .values(deleted_at=to, version=model.version + 1)
            )

    async def delete_tree(self, id: uuid.UUID, *, expected_version: int | None) -> Collection:
        """Soft-delete a collection with its live sub-collections and their documents.

        Everything gets the same `deleted_at`, so `restore_tree` brings back exactly this
        deletion and not rows deleted before it. Three statements, whatever the tree size.
        """
        root = await self.soft_delete(id, expected_version=expected_version)
        await self._stamp_tree(id, where=None, to=root.deleted_at)
        return root

    async def restore_tree(self, id: uuid.UUID) -> Collection:
        """Undo `delete_tree`: the collection and what was deleted along with it."""
        stamp = (await self.get(id, include_deleted=True)).deleted_at
        root = await self.restore(id)
        if stamp is not None:
            await self._stamp_tree(id, where=stamp, to=None)
        return root


COLLECTION_BY_ID = Rows(CollectionRepository)
ANCESTORS = Walked(CollectionRepository, "ancestor_rows", order=("-ancestor_depth",))
DOCUMENTS_BELOW = Count(Walked(CollectionRepository, "documents_below"))
"""Documents in a collection and its subtree: what `documentCount(includeDescendants)`
counts (`document_counts` counts the same rows both ways in one statement)."""
