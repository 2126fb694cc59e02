"""What the engine asks of asyncpg, directly or behind PgBouncer (the API through a real
PgBouncer: tests/graph/test_pgbouncer.py)."""

from __future__ import annotations

import pytest

from persistence.database import connect_arguments
from persistence.settings import Settings


def test_behind_pgbouncer_no_statement_is_cached_or_named_and_no_startup_parameter_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KHUB_DB_PGBOUNCER", "1")
    settings = Settings.from_env()

    arguments = connect_arguments(settings, app=True)

    assert settings.pgbouncer
    assert arguments["statement_cache_size"] == arguments["prepared_statement_cache_size"] == 0
    assert arguments["prepared_statement_name_func"]() == ""
    assert "server_settings" not in arguments


def test_directly_the_apps_connections_default_to_the_statement_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KHUB_DB_PGBOUNCER", raising=False)
    monkeypatch.setenv("KHUB_DB_STATEMENT_TIMEOUT_MS", "2500")

    arguments = connect_arguments(Settings.from_env(), app=True)

    assert arguments["server_settings"]["statement_timeout"] == "2500"
    assert arguments["timeout"] == 10  # connecting, either way (KHUB_DB_CONNECT_TIMEOUT)


def test_directly_the_apps_statements_plan_generically_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KHUB_DB_PGBOUNCER", raising=False)
    monkeypatch.delenv("KHUB_DB_PLAN_CACHE_MODE", raising=False)
    default = connect_arguments(Settings.from_env(), app=True)
    monkeypatch.setenv("KHUB_DB_PLAN_CACHE_MODE", "auto")
    told = connect_arguments(Settings.from_env(), app=True)

    assert default["server_settings"]["plan_cache_mode"] == "force_generic_plan"
    assert told["server_settings"]["plan_cache_mode"] == "auto"


def test_an_unknown_plan_cache_mode_is_refused_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHUB_DB_PLAN_CACHE_MODE", "generic")

    with pytest.raises(ValueError, match="KHUB_DB_PLAN_CACHE_MODE must be one of auto"):
        Settings.from_env()
