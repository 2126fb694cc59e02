"""The harness itself: the comparison sees every difference a client could see, and the
operations it generates and dresses are valid against the schema."""

from __future__ import annotations

import uuid

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.schema import build_schema
from graph.settings import ServerSettings
from tests.differential.decorate import decorate
from tests.differential.generated import operations, schema_without
from tests.differential.harness import difference, parse
from tests.differential.values import Dataset, unit_vector

SCHEMA = build_schema()._schema


def _pools() -> Dataset:
    """Pools shaped like the real dataset's, without a database."""
    pools = Dataset()
    for i, type_name in enumerate(["User", "Collection", "Document", "Tag", "KnowledgeNode"]):
        rows = [type("Row", (), {"id": uuid.UUID(int=i * 10 + n)})() for n in (1, 2)]
        pools.remember(type_name, rows)
    pools.cursors = ["WyJhIiwiYiJd"]
    pools.forge_ids()
    pools.vector = unit_vector(0)
    return pools


def test_equal_responses_have_no_difference() -> None:
    text = '{"data": {"b": [1, 2.5, null, "x"], "a": {"t": true}}}'

    assert difference(parse(text), parse(text)) is None


def test_key_order_is_a_difference() -> None:
    found = difference(parse('{"a": 1, "b": 2}'), parse('{"b": 2, "a": 1}'))

    assert found == "$: keys ['a', 'b'] != ['b', 'a']"


def test_a_datetime_printed_another_way_is_a_difference() -> None:
    found = difference(
        parse('{"at": "2026-01-05T09:00:00+00:00"}'), parse('{"at": "2026-01-05T09:00:00Z"}')
    )

    assert found is not None and found.startswith("$.at:")


def test_a_difference_is_shown_as_json() -> None:
    found = difference(parse('{"a": {"b": 1}}'), parse('{"a": {"b": 2}}'))

    assert found == "$.a.b: 1 != 2"
    assert difference(parse('[{"b": 1}]'), parse("[]")) == '$: [{"b": 1}] != []'


def test_a_boolean_is_not_a_number() -> None:
    assert difference(parse("[true]"), parse("[1]")) == "$[0]: true != 1"


def test_numbers_compare_as_numbers() -> None:
    assert difference(parse("[1]"), parse("[1.0]")) is None
    assert difference(parse("[0.1]"), parse("[0.10000000000000002]")) is not None


def test_null_and_absent_and_empty_differ() -> None:
    assert difference(parse('{"a": null}'), parse('{"a": []}')) is not None
    assert difference(parse('{"a": {}}'), parse('{"a": []}')) is not None


@pytest.mark.parametrize(("raw", "expected"), [("false", False), ("0", False), ("off", False)])
def test_compiled_reads_can_be_turned_off_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("KHUB_COMPILED_READS", raw)

    assert ServerSettings.from_env().compiled_reads is expected


def test_compiled_reads_are_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KHUB_COMPILED_READS", raising=False)

    assert ServerSettings.from_env().compiled_reads is True


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_generated_and_dressed_operations_are_valid(data: st.DataObject) -> None:
    query = data.draw(OPERATIONS)
    dressed = decorate(SCHEMA, query, data.draw(st.integers(0, 2**32 - 1)))

    errors = graphql.validate(SCHEMA, graphql.parse(dressed.query))
    assert [e.message for e in errors] == [], dressed.query
    coerced = graphql.get_variable_values(
        SCHEMA,
        graphql.get_operation_ast(graphql.parse(dressed.query)).variable_definitions or [],
        dressed.variables,
    )
    assert not isinstance(coerced, list), coerced


def test_not_compilable_fields_are_left_out_of_generation() -> None:
    schema = schema_without(("Query.auditEvents", "KnowledgeNode.neighbors"))

    assert "auditEvents" not in schema.query_type.fields
    assert "neighbors" not in schema.get_type("KnowledgeNode").fields
    assert "degree" in schema.get_type("KnowledgeNode").fields


OPERATIONS = operations(_pools())
