"""`khub serve` (and the probe) as a child process: started, logged in to, measured, stopped.

The server runs the code of this repository (PYTHONPATH first), on a free port, against the
benchmark database through DATABASE_URL, so it neither starts nor stops PostgreSQL itself.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.dataset import REPOSITORY
from bench.load import cpu

READY_SECONDS = 90
STOP_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def khub_command(*args: str) -> list[str]:
    """`khub ARGS` with this interpreter, importing this repository's code."""
    return [sys.executable, "-c", "import sys; from graph.cli import main; sys.exit(main())", *args]


def khub_env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPOSITORY), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


class ChildServer:
    """An HTTP server as a child process in a session of its own (so it and its workers can
    be found, measured and ended as a group); `stop()` ends them on every exit path."""

    name = "server"
    ready_path = "/readyz"

    def __init__(self, command: list[str], env: dict[str, str], *, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = log.open("w")
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPOSITORY,
        )

    def is_ready(self, status: int) -> bool:
        return status == 200

    def wait_ready(self) -> None:
        """Until `ready_path` answers as `is_ready` wants, the process exits, or time is up."""
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}):\n{self.tail()}"
                )
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                status = None
            if status is not None and self.is_ready(status):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} was not ready in {READY_SECONDS} s:\n{self.tail()}")

    def post(self, body: dict[str, Any], token: str | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"{self.base}/graphql", data=json.dumps(body).encode(), headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server and its workers so far."""
        return cpu.tree_seconds(self.process.pid)

    def wait_idle(self, *, quiet_seconds: float = 0.5, limit_seconds: float = 60) -> None:
        """Until the server stops using CPU: the requests a finished wrk left in flight must
        not be counted against the next measured window."""
        deadline = time.monotonic() + limit_seconds
        last = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(quiet_seconds)
            now = self.cpu_seconds()
            if now - last <= 2 / cpu.CLOCK_TICKS:
                return
            last = now

    def tail(self, lines: int = 30) -> str:
        self._log_file.flush()
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the server stops its workers
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # any worker left behind
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self._log_file.close()


class Server(ChildServer):
    """One `khub serve --workers N` in production mode, logged in to."""

    name = "khub serve"

    def __init__(self, database_url: str, *, workers: int, pool_size: int, log: Path) -> None:
        super().__init__(
            khub_command("serve", "--workers", str(workers), "--log-level", "warning"),
            # Each worker's pool holds as many connections as wrk keeps open, as a deployment
            # sizes its pool to its concurrency: a smaller pool closes and reopens its
            # overflow connections (a login and fresh prepared statements each) all the time.
            khub_env(
                KHUB_ENV="production",
                KHUB_SIGNING_KEY=secrets.token_urlsafe(48),
                DATABASE_URL=database_url,
                KHUB_DB_POOL_SIZE=str(pool_size),
            ),
            log=log,
        )

    def login(self, username: str, password: str, organization: str) -> str:
        status, raw = self.post(
            {
                "query": "mutation Login($input: LoginInput!) { login(input: $input) {"
                " __typename ... on LoginSuccess { token } ... on Error { message } } }",
                "variables": {
                    "input": {"login": username, "password": password, "organization": organization}
                },
            }
        )
        result = (json.loads(raw).get("data") or {}).get("login") or {} if status == 200 else {}
        if "token" not in result:
            raise RuntimeError(f"login as {username} failed: {status} {raw.decode()}")
        return result["token"]
