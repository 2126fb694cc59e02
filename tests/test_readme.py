"""The README's example operations stay valid against the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate

from graph.schema import build_schema

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)
CURL_BODIES = re.findall(r"-d '(\{\"query\":.*?\})'", README.read_text())


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("operation", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_each_example_operation_is_valid(operation: str) -> None:
    errors = validate(build_schema()._schema, parse(operation))

    assert [e.message for e in errors] == []


def test_every_operation_in_the_readme_is_named_once() -> None:
    """Code generators (tools/codegen-check) refuse or skip anonymous operations."""
    documents = [*BLOCKS, *(json.loads(body)["query"] for body in CURL_BODIES)]
    operations = [
        d
        for doc in documents
        for d in parse(doc).definitions
        if isinstance(d, OperationDefinitionNode)
    ]

    names = [o.name.value if o.name else None for o in operations]
    assert len(CURL_BODIES) == 2
    assert None not in names
    assert len(set(names)) == len(names)
