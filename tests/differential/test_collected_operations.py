"""Every query operation in the README and the test suite answers the same on both paths,
for each principal: viewer, editor and admin of the main organization, a user of the other
organization, and anonymous."""

from __future__ import annotations

import pytest

from graph.schema import build_schema
from tests.differential.collected import Operation, assignments, collect
from tests.differential.harness import Differential
from tests.differential.values import PRINCIPALS, Dataset

OPERATIONS = collect()
SCHEMA = build_schema()._schema


def test_the_suite_and_readme_hold_many_query_operations() -> None:
    assert len(OPERATIONS) >= 60
    assert any(o.source.startswith("README") for o in OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.label for o in OPERATIONS])
async def test_operation_answers_alike_on_both_paths(
    operation: Operation, dataset: Dataset, differential: Differential
) -> None:
    try:
        runs = assignments(operation, dataset, SCHEMA)
    except (LookupError, KeyError) as exc:
        pytest.skip(f"no variable values: {exc}")
    for variables in runs:
        for principal in (*PRINCIPALS, "anonymous"):
            await differential.compare(
                operation.document,
                token=dataset.tokens[principal],
                variables=variables,
                operation_name=operation.name,
                tally="collected",
                label=f"{operation.label} as {principal}",
                foreign=dataset.foreign[principal],
            )
