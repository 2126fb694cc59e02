"""Arguments every list field shares."""

from __future__ import annotations

from typing import Annotated

import strawberry

First = Annotated[
    int | None, strawberry.argument(description="Page forwards: at most this many (max 100).")
]
After = Annotated[str | None, strawberry.argument(description="Start after this cursor.")]
Last = Annotated[
    int | None, strawberry.argument(description="Page backwards: at most this many (max 100).")
]
Before = Annotated[str | None, strawberry.argument(description="End before this cursor.")]
IncludeDeleted = Annotated[
    bool, strawberry.argument(description="Admins only: include soft-deleted rows.")
]
NestedFirst = Annotated[
    int,
    strawberry.argument(
        description="How many (max 100); read further through the root list with a filter."
    ),
]
FILTER = strawberry.argument(description="Only rows that meet all of these conditions.")
ORDER = strawberry.argument(description="The order of the rows; the id breaks ties.")
