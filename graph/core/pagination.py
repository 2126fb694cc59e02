"""Relay cursor connections over the repositories' keyset pages.

`totalCount` runs its count only when a client selects it.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from graph.core.arguments import NestedFirst
from graph.core.errors import BadUserInput, Forbidden, camel
from persistence import errors as domain
from persistence.pagination import MAX_PAGE_SIZE, Order, Page, Window

T = TypeVar("T")


@strawberry.enum(description="Sort direction; the id breaks ties in the same direction.")
class OrderDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.type(description="Where a page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More rows follow the last edge.")
    has_previous_page: bool = strawberry.field(description="More rows precede the first edge.")
    start_cursor: str | None = strawberry.field(description="The first edge's cursor.")
    end_cursor: str | None = strawberry.field(description="The last edge's cursor.")


@strawberry.type(description="One row of a connection and its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position to page from.")
    node: T = strawberry.field(description="The row.")


@strawberry.type(description="A page of a list, paginated by keyset in either direction.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The rows of this page.")
    page_info: PageInfo = strawberry.field(description="Whether there is more either side.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many rows match, across all pages (counted on demand).")
    async def total_count(self) -> int:
        return await self.count()


def order_of(order: Any, default: str = "created_at") -> Order:
    """The persistence order for an `orderBy` input (field enum + direction)."""
    if order is None:
        return Order(default)
    return Order(order.field.value, descending=order.direction == OrderDirection.DESC)


def window(first: int | None, after: str | None, last: int | None, before: str | None) -> Window:
    return Window(first=first, after=after, last=last, before=before)


def build(page: Page[Any], count: Callable[[], Awaitable[int]]) -> Connection[Any]:
    """A Connection from a repository page; the rows are the nodes."""
    return Connection(
        edges=[
            Edge(cursor=cursor, node=row)
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        ),
        count=count,
    )


def bad_input(error: domain.ValidationError) -> BadUserInput:
    """Query arguments have no error union: a bad one is a BAD_USER_INPUT GraphQL error."""
    return BadUserInput(error.message, camel(error.field))


async def nested(info: Any, loader: type[Any], parent_id: Any, first: int) -> Connection[Any]:
    """A parent's first rows as a connection (e.g. `Collection.documents(first: 10)`).

    Batched across every parent in the response; to read further, clients page the root
    list with a filter on the parent, from this connection's `endCursor`.
    """
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE_SIZE}", "first")
    loaders = info.context.loaders
    page = await loaders.get(loader).load((parent_id, first))
    return build(page, lambda: loaders.get(loader.counter).load(parent_id))


async def paginate(
    info: Any,
    repository: type[Any],
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    order: Order,
    filter: Any = None,
    include_deleted: bool = False,
) -> Connection[Any]:
    """A root list field: one keyset page of `repository`, scoped to the caller."""
    context = info.context
    scope = context.viewer.scope()
    try:
        async with context.operation.session() as session:
            page = await repository(session, scope).page(
                window(first, after, last, before),
                order=order,
                filter=filter,
                include_deleted=include_deleted,
            )
    except domain.ValidationError as error:
        raise bad_input(error) from error

    async def count() -> int:
        async with context.operation.session() as session:
            return await repository(session, scope).count(
                filter=filter, include_deleted=include_deleted
            )

    return build(page, count)


LIST = "khub.list"
"""The metadata key of a root list field's declaration (`RootList`)."""

NESTED = "khub.nested"
"""The metadata key of a nested connection's loader (`nested_connection`)."""


def admin_only_deleted(viewer: Any, include_deleted: bool) -> bool:
    if include_deleted and not viewer.is_admin:
        raise Forbidden("only admins may list deleted rows")
    return include_deleted


def filter_argument(args: dict[str, Any]) -> Any:
    """The domain filter of a `filter` input (each input type has `to_domain()`)."""
    given = args.get("filter")
    return given.to_domain() if given is not None else None


def ordered_by(default: str) -> Callable[[dict[str, Any]], Order]:
    """The order of an `orderBy` input argument, `default` when absent."""
    return lambda args: order_of(args.get("order_by"), default)


@dataclass(frozen=True)
class RootList:
    """A root list field declared by its repository, order and filter: the resolver and the
    compiled read path both read this, from the field's arguments (Python names)."""

    repository: type[Any]
    order: Callable[[dict[str, Any]], Order]
    filter: Callable[[dict[str, Any]], Any] = filter_argument

    @property
    def metadata(self) -> dict[str, Any]:
        return {LIST: self}

    async def resolve(self, info: Any, args: dict[str, Any]) -> Connection[Any]:
        return await paginate(
            info,
            self.repository,
            first=args.get("first"),
            after=args.get("after"),
            last=args.get("last"),
            before=args.get("before"),
            order=self.order(args),
            filter=self.filter(args),
            include_deleted=admin_only_deleted(
                info.context.viewer, args.get("include_deleted", False)
            ),
        )


def nested_connection(loader: type[Any], *, description: str) -> Any:
    """A parent's first rows as a connection field (`children`, `documents`), declared by
    its `FirstPerLoader` (repository, parent column, order)."""

    async def resolve(root: Any, info: strawberry.Info, first: NestedFirst = 20) -> Any:
        return await nested(info, loader, root.id, first)

    return strawberry.field(resolver=resolve, description=description, metadata={NESTED: loader})
