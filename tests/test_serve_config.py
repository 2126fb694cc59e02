"""`khub serve` runs on uvloop and httptools, with one worker per CPU in production."""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import replace

import pytest
import uvloop

from graph import cli
from graph.serve import configure_serve, uvicorn_config
from graph.settings import ServerSettings


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    configure_serve(parser)
    return parser.parse_args(argv)


def test_every_mode_serves_with_uvloop_and_httptools() -> None:
    for workers in ("1", "3"):
        config = uvicorn_config(_args("--workers", workers), ServerSettings())
        assert (config.loop, config.http, config.workers) == ("uvloop", "httptools", int(workers))


def test_production_defaults_to_one_worker_per_cpu_and_development_to_one() -> None:
    production = uvicorn_config(_args(), ServerSettings(production=True))
    development = uvicorn_config(_args(), ServerSettings())

    assert production.workers == len(os.sched_getaffinity(0))
    assert development.workers == 1


def test_a_single_process_serves_in_a_uvloop_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    async def fake_serve(args: argparse.Namespace, settings: object) -> int:
        seen.append(asyncio.get_running_loop())
        return 0

    commands = [replace(c, run=fake_serve) if c.name == "serve" else c for c in cli.COMMANDS]
    monkeypatch.setattr(cli, "COMMANDS", commands)

    assert cli.main(["serve", "--workers", "1"]) == 0
    assert isinstance(seen[0], uvloop.Loop)
