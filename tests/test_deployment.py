"""What the image and CI install, checked statically (this machine has no Docker engine):
a numeric non-root user, a health check that needs no shell or curl, a small build context,
and every dependency at the version locked in requirements.lock."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()
LOCK = ROOT / "requirements.lock"


def instructions(name: str) -> list[str]:
    """The arguments of each `name` instruction of the final stage, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    final = joined.split("\nFROM ")[-1]
    return [line.split(None, 1)[1] for line in final.splitlines() if line.startswith(name + " ")]


def locked() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^\s;]+)", LOCK.read_text(), flags=re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


def test_the_image_runs_as_a_numeric_non_root_user() -> None:
    (user,) = instructions("USER")

    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) >= 10000
    assert gid == "" or gid.isdigit()


def test_the_health_check_is_exec_form_python_against_healthz() -> None:
    (healthcheck,) = instructions("HEALTHCHECK")

    command = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "urllib.request.urlopen('http://127.0.0.1:8000/healthz'" in command[2]
    assert "timeout=" in command[2]


def test_the_build_context_leaves_out_venvs_git_and_data() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".git", ".venv", "**/__pycache__", ".khub-data", "*.pgdata", "node_modules"} <= ignored


def test_the_image_and_ci_install_the_locked_versions() -> None:
    (install,) = [run for run in instructions("RUN") if "pip install" in run]

    assert "--constraint requirements.lock" in install
    assert "--constraint requirements.lock" in (ROOT / ".ci" / "run").read_text()
    assert any("requirements.lock" in copy for copy in instructions("COPY"))


def test_the_lock_pins_every_declared_dependency_within_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pins = locked()

    for requirement in map(Requirement, declared):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run pip-compile (README)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} is outside {requirement.specifier}: run pip-compile (README)"
        )
