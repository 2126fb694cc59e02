"""The comparison itself: it must see every difference a client could see."""

from __future__ import annotations

import pytest

from graph.settings import ServerSettings
from tests.differential.harness import difference, parse


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
