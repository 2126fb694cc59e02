"""What every GraphQL object type backed by a table shares."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.types import Info


class RowType:
    """A GraphQL type whose values are the repository's rows themselves.

    Resolvers return ORM rows and plain fields read their attributes, with no copying into
    intermediate objects; `is_type_of` lets unions and the `Node` interface recognise them.
    """

    model: ClassVar[type[Any]]

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, cls | cls.model)
