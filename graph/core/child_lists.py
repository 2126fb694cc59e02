"""A parent's rows as a keyset connection paged both ways (`Conversation.messages`).

Declared once (`ChildList`: repository, parent column, order); the reference executor
batches the common pages (`first: N` or `last: N` without a cursor) of every parent in the
response into one statement, and the compiled read path reads the same declaration.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from graph.core.arguments import After, Before, First, Last
from graph.core.loaders import CountPerLoader, RepositoryLoader
from graph.core.pagination import bad_input, build
from persistence import errors as domain
from persistence.pagination import Order, Page, Window

CHILD_LIST = "khub.child_list"
"""The metadata key of a child list's declaration."""

PageKey = tuple[uuid.UUID, int | None, str | None, int | None, str | None]
"""(parent id, first, after, last, before)."""


@dataclass(frozen=True)
class ChildList:
    """The rows of `repository` whose `column` is the parent's id, by `order`; `filter`
    makes the repository's domain filter for one parent."""

    repository: type[Any]
    column: str
    order: Order
    filter: Callable[[uuid.UUID], Any]


class KeysetPerLoader(RepositoryLoader[PageKey, Page[Any]]):
    """Pages of many parents: those without a cursor in one window-function statement per
    page size, a page from a cursor (one parent's, in practice) on its own."""

    declaration: ClassVar[ChildList]
    counter: ClassVar[type[CountPerLoader]]

    async def fetch(
        self, session: AsyncSession, scope: Any, keys: list[PageKey]
    ) -> list[Page[Any]]:
        child = self.declaration
        repository = child.repository(session, scope)
        pages: dict[PageKey, Page[Any]] = {}
        plain = [k for k in keys if k[2] is None and k[4] is None]
        for first, last in sorted({(k[1], k[3]) for k in plain}, key=str):
            window = Window(first=first, last=last)
            order = replace(child.order, descending=child.order.descending != window.backwards)
            parents = [k[0] for k in plain if (k[1], k[3]) == (first, last)]
            found = await repository.first_per(
                child.column, parents, limit=window.size, order=order
            )
            for parent, page in found.items():
                pages[(parent, first, None, last, None)] = _backwards(page, window.backwards)
        for key in keys:
            if key not in pages:
                parent, first, after, last, before = key
                window = Window(first=first, after=after, last=last, before=before)
                pages[key] = await repository.page(
                    window, order=child.order, filter=child.filter(parent)
                )
        return [pages[k] for k in keys]


def _backwards(page: Page[Any], backwards: bool) -> Page[Any]:
    """A page fetched newest first, put back in list order (`last: N`)."""
    if not backwards:
        return page
    return Page(
        items=page.items[::-1],
        cursors=page.cursors[::-1],
        has_next_page=False,
        has_previous_page=page.has_next_page,
    )


def child_connection(loader: type[KeysetPerLoader], *, description: str) -> Any:
    """The connection field of a `KeysetPerLoader`'s declaration."""

    async def resolve(
        root: Any,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Any:
        window = Window(first=first, after=after, last=last, before=before)
        try:
            window.validate()
        except domain.ValidationError as error:
            raise bad_input(error) from error
        loaders = info.context.loaders
        try:
            page = await loaders.get(loader).load((root.id, first, after, last, before))
        except domain.ValidationError as error:  # a forged cursor
            raise bad_input(error) from error
        return build(page, lambda: loaders.get(loader.counter).load(root.id))

    return strawberry.field(
        resolver=resolve, description=description, metadata={CHILD_LIST: loader.declaration}
    )
