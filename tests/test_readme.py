"""The README's example operations stay valid against the schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from graph.schema import build_schema

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("operation", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_each_example_operation_is_valid(operation: str) -> None:
    errors = validate(build_schema()._schema, parse(operation))

    assert [e.message for e in errors] == []
