"""Custom scalars, each naming the specification its values follow (`@specifiedBy`), so that
GraphiQL and generated clients can point to it and parse the values with a standard parser.

Strawberry's own JSON scalar already names ECMA-404; its DateTime names nothing.
"""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

RFC_3339 = "https://www.rfc-editor.org/rfc/rfc3339"

DateTime = strawberry.scalar(
    name="DateTime",
    description=(
        "A point in time as an RFC 3339 date-time with its UTC offset, e.g. "
        "`2026-01-31T09:30:00.123456+00:00`; values sent must carry an offset too."
    ),
    specified_by_url=RFC_3339,
    serialize=datetime.isoformat,
    # Strawberry's parser: ISO 8601 input, refused with a clean coercion error otherwise.
    parse_value=DateTimeDefinition.parse_value,
)

SCALARS: dict[object, ScalarDefinition] = {datetime: DateTime}
"""For `StrawberryConfig(scalar_map=…)`: Python type -> the scalar that carries it."""
