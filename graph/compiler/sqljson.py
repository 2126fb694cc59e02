"""SQL expressions that write values exactly as the reference executor serialises them.

Canonical forms (docs/decisions.md, "Compiled read path"): a DateTime is Python's
`isoformat()` in UTC (`2024-05-01T12:34:56.123450+00:00`, no fraction when it is zero); a
Float is Python's `repr` (`1.0`, `0.25`); a global id is standard base64 of `Type:uuid`; a
cursor is URL-safe base64, unpadded, of the compact JSON `[key, "uuid"]`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, Text, and_, case, cast, func, literal_column, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

EMPTY_ARRAY = literal_column("'[]'::json")


def _name(text: str) -> str:
    """A GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`, as the parser validated it)."""
    if not text.replace("_", "a").isalnum() or not text.isascii():
        raise ValueError(f"not a GraphQL name: {text!r}")
    return text


def one_more(size: ColumnElement[Any]) -> ColumnElement[Any]:
    """`size + 1`, the extra row that tells whether a page has more, with the 1 written into
    the SQL: a page size given literally stays a constant (see `Compiler.page_size`)."""
    return size + literal_column("1", Integer)


def lit(text: str) -> ColumnElement[Any]:
    """A fixed string of the compiler's own (never a client's value) written into the SQL."""
    return literal_column("'" + text.replace("'", "''") + "'", Text)


def constant(text: str) -> ColumnElement[Any]:
    """A GraphQL name as an SQL string literal (names need no escaping)."""
    return literal_column(f"'{_name(text)}'", Text)


def iso_datetime(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`datetime.isoformat()` of a timestamptz read back in UTC."""
    utc = func.timezone(lit("UTC"), column)
    micro = func.to_char(utc, lit("US"))
    fraction = case((micro == lit("000000"), lit("")), else_=lit(".").concat(micro))
    whole = func.to_char(utc, lit('YYYY-MM-DD"T"HH24:MI:SS'))
    return whole.concat(fraction).concat(lit("+00:00"))


def float_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """Python's `repr` of a double: PostgreSQL's shortest form, with `.0` on integral values
    (exact for the magnitudes both print without an exponent, below 1e15)."""
    value = cast(column, Text)
    plain = and_(*(func.strpos(value, lit(mark)) == 0 for mark in (".", "e", "n")))
    return case((plain, value.concat(lit(".0"))), else_=value)


def float_json(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(float_text(column), JSON)


def base64(text: ColumnElement[Any]) -> ColumnElement[Any]:
    encoded = func.encode(func.convert_to(text, lit("UTF8")), lit("base64"))
    return func.translate(encoded, literal_column("E'\\n'"), lit(""))


def global_id(type_name: str, id_column: ColumnElement[Any]) -> ColumnElement[Any]:
    """Strawberry's `to_base64(type_name, id)`."""
    return base64(literal_column(f"'{_name(type_name)}:'", Text).concat(cast(id_column, Text)))


def cursor(key_json: ColumnElement[Any], id_column: ColumnElement[Any]) -> ColumnElement[Any]:
    """`persistence.pagination.encode_cursor((key, id))` for a key written as JSON text."""
    raw = lit("[").concat(key_json).concat(lit(',"')).concat(cast(id_column, Text))
    encoded = func.encode(func.convert_to(raw.concat(lit('"]')), lit("UTF8")), lit("base64"))
    return func.rtrim(func.translate(encoded, literal_column("E'+/\\n'"), lit("-_")), lit("="))


def json_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return cast(func.to_json(column), Text)


def json_list(item: ColumnElement[Any], *order: Any, where: Any = None) -> ColumnElement[Any]:
    """`json_agg(item ORDER BY …)`, an empty array rather than null."""
    aggregated = func.json_agg(aggregate_order_by(item, *order) if order else item)
    if where is not None:
        aggregated = aggregated.filter(where)
    return func.coalesce(aggregated, EMPTY_ARRAY)


def first_of(item: ColumnElement[Any], *order: Any, where: Any = None) -> ColumnElement[Any]:
    """The first `item` in `order` among the aggregated rows (null when there is none)."""
    aggregated = func.array_agg(aggregate_order_by(item, *order))
    if where is not None:
        aggregated = aggregated.filter(where)
    return aggregated[1]


TRUE = true()


def case_when(condition: Any, value: Any) -> ColumnElement[Any]:
    """`CASE WHEN condition THEN value END` (null otherwise)."""
    return case((condition, value))


def key_json(column: ColumnElement[Any], kind: type) -> ColumnElement[Any]:
    """A sort key as `encode_cursor` writes it inside its JSON array."""
    from datetime import datetime

    if kind is datetime:
        return lit('"').concat(iso_datetime(column)).concat(lit('"'))
    if kind is float:
        return float_text(column)
    if kind is int or kind is bool:
        return json_text(column)
    return json_text(cast(column, Text))


FALSE = literal_column("false")


def enum_names(column: Any, enum: Any, *, many: bool) -> ColumnElement[Any]:
    """An enum column as GraphQL names its values (`read` is `READ`); as is where the stored
    values are the names."""
    stored = {name: str(getattr(v.value, "value", v.value)) for name, v in enum.values.items()}
    renamed = {value: name for name, value in stored.items() if value != name}
    if not renamed:
        return column  # type: ignore[no-any-return]

    def name_of(value: Any) -> Any:
        return case(*((value == lit(stored), constant(name)) for stored, name in renamed.items()))

    if not many:
        return name_of(column)
    items = func.unnest(column).table_valued("value", with_ordinality="n").render_derived()
    listed = select(json_list(name_of(items.c.value), items.c.n)).select_from(items)
    return listed.scalar_subquery()
