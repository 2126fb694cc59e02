"""Two apps on one database — the reference executor and the compiled read path — and the
dataset both read, built once per test module and deleted after it (other tests' queries
that look past their own organization must not meet it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from graph.app import create_app
from graph.settings import ServerSettings
from persistence.database import Database
from persistence.settings import Settings
from tests.differential import dataset as rows
from tests.differential.harness import TALLIES, Differential
from tests.differential.values import Dataset
from tests.graph.conftest import database, server_settings

__all__ = ["database", "server_settings"]  # the API tests' fixtures, shared


@pytest.fixture(scope="module")
async def dataset(database: Database, settings: Settings) -> AsyncIterator[Dataset]:
    built = await rows.build(database, settings)
    yield built
    await rows.drop(database, built)


async def _client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture(scope="session")
async def differential(
    server_settings: ServerSettings, database: Database
) -> AsyncIterator[Differential]:
    reference_app = create_app(replace(server_settings, compiled_reads=False), database=database)
    compiled_app = create_app(replace(server_settings, compiled_reads=True), database=database)
    async with (
        await _client(reference_app) as reference,
        await _client(compiled_app) as compiled,
    ):
        yield Differential(reference, compiled)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The share of operations the compiled path answered, per suite."""
    if not TALLIES:
        return
    terminalreporter.section("differential: compiled read path vs reference executor")
    for name, tally in TALLIES.items():
        terminalreporter.write_line(
            f"{name}: {tally.operations} operations ({len(tally.documents)} distinct), "
            f"{tally.compiled} compiled ({tally.compiled_share:.1%}), "
            f"{tally.with_errors} answered with errors"
        )
