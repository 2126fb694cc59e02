"""Per-request dataloaders over the operation's connection, and the `related` field helper."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import strawberry
from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay
from strawberry.types import Info

from graph import tracing
from persistence.pagination import Order, Page
from persistence.relation import AdminOnly, Count, Rows, Values, Walked
from persistence.repository import Repository

K = TypeVar("K")
V = TypeVar("V")
L = TypeVar("L", bound="RepositoryLoader[Any, Any]")


class RepositoryLoader(DataLoader[K, V], Generic[K, V]):
    """Batches `load(key)` calls of one tick into one repository call on the operation's
    connection. Subclasses implement `fetch(session, scope, keys)`, returning values in key
    order. Built per request: aiodataloader binds the running event loop when constructed.
    """

    def __init__(self, context: Any) -> None:
        super().__init__()
        self.context = context

    def load(self, key: K) -> asyncio.Future[V]:  # type: ignore[override]
        """The value for `key`, shielded: graphql-core cancels the sibling fields of a field
        that failed, a cancelled task cancels the future it awaits, and the loader's cache
        hands that same future to every other field asking for the key — which would then
        get a CancelledError that nothing handles (the request died without a response)."""
        shared = super().load(key)
        shared.add_done_callback(_consume)
        return asyncio.shield(shared)

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V]:
        attributes = {"khub.loader": type(self).__name__, "khub.keys": len(keys)}
        with tracing.span("dataloader.batch", attributes):
            async with self.context.operation.session() as session:
                return await self.fetch(session, self.context.viewer.scope(), list(keys))

    async def fetch(self, session: AsyncSession, scope: Any, keys: list[K]) -> list[V]:
        raise NotImplementedError


def _consume(future: asyncio.Future[Any]) -> None:
    """Mark a shared load's failure as seen: when every field awaiting it was cancelled,
    asyncio would otherwise log it as a 'Future exception was never retrieved'."""
    if not future.cancelled():
        future.exception()


class RelationLoader(RepositoryLoader[uuid.UUID, Any]):
    """A loader that is its relation's declaration (`persistence.relation`): the batch runs
    it with `= ANY(:keys)`, and the compiled read path reads it to build the same rows."""

    relation: ClassVar[Rows | Walked | AdminOnly | Values | Count]

    async def fetch(self, session: AsyncSession, scope: Any, keys: list[uuid.UUID]) -> list[Any]:
        return await self.relation.fetch(session, scope, keys)


@dataclass(frozen=True)
class Related:
    """What a `related` field declares: the loader and the attribute holding its key."""

    loader: type[RepositoryLoader[Any, Any]]
    key: str


RELATED = "khub.related"
"""The metadata key of a `related` field's declaration."""


@dataclass(frozen=True)
class Counted:
    """An aggregate field declared as the sum of `Count` relations under the row's `key`,
    which the field's arguments (Python names) choose; the compiled read path reads it."""

    key: str
    counts: Callable[[dict[str, Any]], tuple[Count, ...]]

    @property
    def metadata(self) -> dict[str, Any]:
        return {COUNTED: self}


COUNTED = "khub.counted"
"""The metadata key of a `Counted` field's declaration."""


@dataclass(frozen=True)
class GlobalIdOf:
    """A field holding the global id of a row named by two columns (type name and id)."""

    type_attribute: str
    id_attribute: str


GLOBAL_ID_OF = "khub.global_id_of"


def global_id_of(type_attribute: str, id_attribute: str, *, description: str) -> Any:
    """`relay.to_base64(root.<type>, root.<id>)`, null when the id is; declared so the
    compiled read path writes the same in SQL."""

    def resolve(root: Any) -> str | None:
        id = getattr(root, id_attribute)
        return None if id is None else relay.to_base64(getattr(root, type_attribute), id)

    metadata = {GLOBAL_ID_OF: GlobalIdOf(type_attribute, id_attribute)}
    return strawberry.field(resolver=resolve, description=description, metadata=metadata)


class Loaders:
    """The request's loaders, made on first use."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self._made: dict[type[Any], Any] = {}

    def get(self, loader: type[L]) -> L:
        made = self._made.get(loader)
        if made is None:
            made = self._made[loader] = loader(self._context)
        return made


def related(
    loader: type[RepositoryLoader[Any, Any]], *, key: str, description: str, **field_args: Any
) -> Any:
    """A relation field declared by its loader and key attribute, not a hand-written resolver.

    `owner: User = related(UserByIdLoader, key="owner_id", description=...)` loads the row
    whose id is `root.owner_id` (None stays None). Many-valued loaders work the same way.
    """

    async def resolve(root: Any, info: Info) -> Any:
        value = getattr(root, key)
        if value is None:
            return None
        return await info.context.loaders.get(loader).load(value)

    metadata = {RELATED: Related(loader, key)}
    return strawberry.field(
        resolver=resolve, description=description, metadata=metadata, **field_args
    )


def parse_uuid(value: str) -> uuid.UUID | None:
    """A row id from a global id's payload, or None when it is not one."""
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        return None


class FirstPerLoader(RepositoryLoader[tuple[uuid.UUID, int], Any]):
    """The first N rows under each parent (e.g. each collection's documents), batched.

    Keys are `(parent_id, first)`; one statement per distinct `first` in the batch, which
    in practice is one. `counter` counts the rows per parent for `totalCount`.
    """

    repository: ClassVar[type[Repository[Any]]]
    column: ClassVar[str]
    order: ClassVar[Order] = Order()
    counter: ClassVar[type[CountPerLoader]]

    async def fetch(
        self, session: AsyncSession, scope: Any, keys: list[tuple[uuid.UUID, int]]
    ) -> list[Page[Any]]:
        repo = self.repository(session, scope)
        pages: dict[tuple[uuid.UUID, int], Page[Any]] = {}
        for limit in sorted({limit for _, limit in keys}):
            parents = [parent for parent, n in keys if n == limit]
            found = await repo.first_per(self.column, parents, limit=limit, order=self.order)
            pages.update({(parent, limit): page for parent, page in found.items()})
        return [pages[k] for k in keys]


class CountPerLoader(RepositoryLoader[uuid.UUID, int]):
    """How many rows each parent has, in one GROUP BY per batch."""

    repository: ClassVar[type[Repository[Any]]]
    column: ClassVar[str]

    async def fetch(self, session: AsyncSession, scope: Any, keys: list[uuid.UUID]) -> list[int]:
        counts = await self.repository(session, scope).count_per(self.column, keys)
        return [counts[k] for k in keys]
